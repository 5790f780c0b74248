#include "shell/shell_output.hpp"

#include "qmp/printable.hpp"

namespace qmpc::shell {

namespace {

constexpr const char* kRed = "31";
constexpr const char* kCyan = "36";
constexpr const char* kDim = "2";

std::string painted(std::string text, const char* colour, OutputStyle style) {
  if (!style.colour) return text;
  return std::string("\033[") + colour + "m" + text + "\033[0m";
}

}  // namespace

bool colour_wanted(bool stdout_is_terminal, const char* no_color) {
  return stdout_is_terminal && (no_color == nullptr || no_color[0] == '\0');
}

std::string format_value(const qmp::json::Value& value, OutputStyle style) {
  return qmp::printable_json(style.pretty ? qmp::json::to_pretty_string(value) : qmp::json::to_string(value));
}

std::string format_error(std::string_view error_class, std::string_view desc, OutputStyle style) {
  const std::string text = error_class.empty() ? "error: " + qmp::printable(desc)
                                               : qmp::printable(error_class) + ": " + qmp::printable(desc);
  return painted(text, kRed, style);
}

std::string format_event(std::string_view event_json, OutputStyle style) {
  return painted(qmp::printable_json(event_json), kCyan, style);
}

std::string format_sent(std::string_view command_json, OutputStyle style) {
  return painted("-> " + qmp::printable_json(command_json), kDim, style);
}

std::string format_text(std::string_view line, OutputStyle) { return qmp::printable(line); }

}  // namespace qmpc::shell
