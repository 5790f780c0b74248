// Command arguments from the words after the command name, the way qmp-shell reads them.
//
//   (none)                  -> no arguments
//   '{"device":"job0"}'     -> that object (one word starting with '{')
//   KEY=VALUE ...           -> an object; VALUE is JSON when it is valid JSON (numbers, true/false/null, "quoted
//                              strings", objects, arrays), else a string; dotted keys nest: a.b=1 -> {"a":{"b":1}}
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace qmpc::cli {

// Compact JSON text of the arguments object, "" when there are no words. Nullopt with `error` set (one line,
// naming the offending word) when a word is not KEY=VALUE, a key is empty or set twice, a key is used both as a
// value and as an object, or a single JSON-object word does not parse.
std::optional<std::string> build_arguments(std::span<const std::string> words, std::string* error = nullptr);

// The JSON text VALUE stands for: itself when it is valid JSON, else VALUE as a JSON string.
std::string value_to_json(std::string_view value);

}  // namespace qmpc::cli
