// Parses the text of a `qmpc run` script into steps. No I/O.
//
// One step per line:
//   COMMAND [KEY=VALUE ... | JSON-OBJECT]         as after `qmpc exec` (cli/key_value.hpp); words are split as a
//                                                  shell would (script/words.hpp): command-line='info block'
//   {"execute": NAME, "arguments": {...}}         a raw QMP command object ("exec-oob" instead of "execute" sends
//                                                  it out of band); no other members
//   wait-event PATTERN [PATH=VALUE ...] [--for SEC]
//                                                  an event whose name matches PATTERN and whose data matches every
//                                                  PATH=VALUE (cli/match_condition.hpp)
//   blank lines and lines whose first non-blank character is '#' are skipped; a '\r' before '\n' is ignored.
#pragma once

#include "script/step.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc::script {

// A raw command object ({"execute": NAME, "arguments": {...}} or "exec-oob"); `error` must not be null.
std::optional<CommandStep> parse_command_object(std::string_view text, std::string* error);

// One line: a step, nullopt for a blank or comment line; `error` set (and nullopt returned) when it is invalid
// (`error` must not be null).
std::optional<Step> parse_step(std::string_view line, std::size_t line_number, std::string* error);

struct ParsedScript {
  std::vector<Step> steps;
  std::string error;  // "line N: ..." for the first invalid line ("" when every line is valid)
  bool ok() const noexcept { return error.empty(); }
};

ParsedScript parse_script(std::string_view text);

}  // namespace qmpc::script
