// How `qmpc shell` shows what comes back: one reply's value, an error, an event, the QMP it sent (-v). No I/O:
// each function returns the text to print, without its final newline, made safe for a terminal (qmp::printable,
// qmp::printable_json) whatever QEMU sent.
//
// On a terminal (colour on) an error is red, an event cyan and an echoed command dim; a value is plain.
#pragma once

#include "qmp/json.hpp"

#include <string>
#include <string_view>

namespace qmpc::shell {

struct OutputStyle {
  bool pretty = false;  // --pretty: indented JSON
  bool colour = false;  // a terminal, and NO_COLOR unset or empty
};

// Whether to colour: standard output is a terminal, and NO_COLOR (null when unset) is unset or empty.
bool colour_wanted(bool stdout_is_terminal, const char* no_color);

std::string format_value(const qmp::json::Value& value, OutputStyle style);
// "CLASS: desc" (QEMU's error), or "error: text" for what qmpc itself refused or could not do.
std::string format_error(std::string_view error_class, std::string_view desc, OutputStyle style);
// One event as QEMU sent it (compact even with --pretty, so that it stays one line above the prompt).
std::string format_event(std::string_view event_json, OutputStyle style);
// "-> {"execute": ...}" for -v.
std::string format_sent(std::string_view command_json, OutputStyle style);
// HMP output lines, as text.
std::string format_text(std::string_view line, OutputStyle style);

}  // namespace qmpc::shell
