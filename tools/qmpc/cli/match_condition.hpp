// PATH=VALUE words that select events by their data (qmpc exec --match, qmpc events --match, wait-event in
// qmpc run): PATH is dotted into the event's "data" member, VALUE is JSON when it is valid JSON, else a string
// (the rule of KEY=VALUE command arguments, cli/key_value.hpp).
#pragma once

#include "qmp/event_match.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace qmpc::cli {

// Nullopt with `error` set (naming the word) when there is no '=', the path is empty or has an empty segment.
std::optional<qmp::DataCondition> parse_match_condition(std::string_view word, std::string* error = nullptr);

}  // namespace qmpc::cli
