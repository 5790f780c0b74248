// Splits one script line into words the way a POSIX shell would, without expansions:
//   'single quotes'   everything literally up to the next '
//   "double quotes"   literally, except \" \\ \$ \` which stand for the second character
//   \c                outside quotes: the character c
//   blanks            (space, tab) separate words; a quoted empty string is a word
// So a line of a script reads as the same command typed after `qmpc exec`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc::script {

// Nullopt with `error` set when a quote is not closed or the line ends with a lone backslash.
std::optional<std::vector<std::string>> split_words(std::string_view line, std::string* error = nullptr);

}  // namespace qmpc::script
