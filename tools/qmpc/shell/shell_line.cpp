#include "shell/shell_line.hpp"

#include "cli/key_value.hpp"
#include "script/step_parser.hpp"
#include "script/words.hpp"

#include "qmp/json.hpp"

namespace qmpc::shell {

namespace {

constexpr std::string_view kBlanks = " \t\r";
constexpr std::string_view kOpen = "transaction(";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlanks) - first + 1);
}

// The first word of `line` (up to a blank), without splitting the rest.
std::string_view first_word(std::string_view line) { return line.substr(0, line.find_first_of(kBlanks)); }

LineError error(std::string message) { return LineError{std::move(message)}; }

}  // namespace

Request LineReader::read(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return NoRequest{};
  if (open_) return read_action(line);
  if (line == "exit") return ExitRequest{};
  if (hmp_mode_) return HmpRequest{std::string(line)};
  if (first_word(line) == "hmp") {
    const auto text = trim(line.substr(3));
    if (text.empty()) return error("hmp needs a command line, e.g. hmp info block");
    return HmpRequest{std::string(text)};
  }
  if (line.starts_with(kOpen)) return open_block(line.substr(kOpen.size()));
  if (first_word(line) == "transaction" && line.find('(') != std::string_view::npos)
    return error("a transaction block opens with 'transaction(' (no blank before the parenthesis)");
  if (first_word(line) == "wait-event")
    return error("wait-event is for scripts (qmpc run); the shell prints events as they come");
  std::string why;
  auto step = script::parse_step(line, 1, &why);
  if (!step) return error(why);
  return std::get<script::CommandStep>(step->action);
}

Request LineReader::open_block(std::string_view rest) {
  std::string why;
  auto words = script::split_words(rest, &why);
  if (!words) return error(why);
  if (!words->empty() && (*words)[0] == ")") return error("write the actions of a transaction one per line, then ')'");
  auto properties = cli::build_arguments(*words, &why);
  if (!properties) return error("transaction properties: " + why);
  properties_json_ = std::move(*properties);
  actions_.clear();
  open_ = true;
  return NoRequest{};
}

Request LineReader::read_action(std::string_view line) {
  if (line == ")") return close_block();
  if (line.front() == '{') return error("an action is ACTION-TYPE [KEY=VALUE ... | JSON-OBJECT], not a command object");
  std::string why;
  auto words = script::split_words(line, &why);
  if (!words) return error(why);
  const std::string& type = (*words)[0];
  if (type.empty() || type[0] == '-' || type == "transaction(")
    return error("expected an action type (e.g. blockdev-snapshot-sync) or ')', got '" + type + "'");
  auto data = cli::build_arguments(std::span<const std::string>(*words).subspan(1), &why);
  if (!data) return error(type + ": " + why);
  qmp::json::Object action;
  action.add("type", type);
  action.add_raw("data", data->empty() ? "{}" : *data);
  actions_.push_back(action.str());
  return NoRequest{};
}

Request LineReader::close_block() {
  std::string actions = "[";
  for (std::size_t i = 0; i < actions_.size(); ++i) actions += (i ? "," : "") + actions_[i];
  actions += "]";
  qmp::json::Object arguments;
  arguments.add_raw("actions", actions);
  if (!properties_json_.empty()) arguments.add_raw("properties", properties_json_);
  open_ = false;
  actions_.clear();
  properties_json_.clear();
  return script::CommandStep{"transaction", arguments.str(), false};
}

}  // namespace qmpc::shell
