// One step of a `qmpc run` script, as parsed (script/step_parser.hpp). Plain data.
#pragma once

#include "qmp/event_match.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace qmpc::script {

// A QMP command: `NAME KEY=VALUE ...`, `NAME {JSON}`, or a raw {"execute": ...} / {"exec-oob": ...} object.
struct CommandStep {
  std::string name;
  std::string arguments_json;  // compact object text, "" for none
  bool oob = false;            // sent with "exec-oob"
};

// `wait-event PATTERN [PATH=VALUE ...] [--for SEC]`.
struct WaitStep {
  std::string pattern;                       // an event name, or a glob ('*', '?')
  std::vector<qmp::DataCondition> conditions;
  std::optional<double> for_s;               // nullopt: the session's command deadline (--timeout)
};

struct Step {
  std::size_t line = 0;  // 1-based line of the script it came from
  std::variant<CommandStep, WaitStep> action;
};

}  // namespace qmpc::script
