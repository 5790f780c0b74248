// "Did you mean ...?" for a mistyped option or command.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qmpc::cli {

// Edit distance, counting a swap of two neighbouring characters as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be a likely typo ("" otherwise).
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace qmpc::cli
