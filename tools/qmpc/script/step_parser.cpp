#include "script/step_parser.hpp"

#include "cli/key_value.hpp"
#include "cli/match_condition.hpp"
#include "script/words.hpp"

#include "qmp/json.hpp"

#include <cmath>
#include <cstdlib>

namespace qmpc::script {
namespace {

constexpr std::string_view kBlanks = " \t";

std::optional<Step> fail(std::string* error, std::string why) {
  *error = std::move(why);
  return std::nullopt;
}

std::optional<double> parse_seconds(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < 0 || v > 1e9) return std::nullopt;
  return v;
}

std::optional<Step> parse_wait(const std::vector<std::string>& words, Step step, std::string* error) {
  WaitStep wait;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--for" || w.rfind("--for=", 0) == 0) {
      if (wait.for_s) return fail(error, "wait-event: --for is given twice");
      std::string value;
      if (w == "--for") {
        if (i + 1 >= words.size()) return fail(error, "wait-event: --for needs a number of seconds");
        value = words[++i];
      } else {
        value = w.substr(6);
      }
      wait.for_s = parse_seconds(value);
      if (!wait.for_s) return fail(error, "wait-event: '" + value + "' is not a number of seconds (e.g. 10 or 0.5)");
    } else if (w.rfind("--", 0) == 0) {
      return fail(error, "wait-event: unknown option " + w.substr(0, w.find('=')) + " (it takes --for SEC)");
    } else if (wait.pattern.empty() && w.find('=') == std::string::npos) {
      wait.pattern = w;
    } else if (wait.pattern.empty()) {
      return fail(error, "wait-event: the event name comes first, before '" + w + "'");
    } else {
      std::string why;
      auto condition = cli::parse_match_condition(w, &why);
      if (!condition) return fail(error, "wait-event: " + why);
      wait.conditions.push_back(std::move(*condition));
    }
  }
  if (wait.pattern.empty()) return fail(error, "wait-event needs an event name, e.g. wait-event STOP");
  step.action = std::move(wait);
  return step;
}

}  // namespace

std::optional<CommandStep> parse_command_object(std::string_view text, std::string* error) {
  auto fail = [error](std::string why) -> std::optional<CommandStep> {
    *error = std::move(why);
    return std::nullopt;
  };
  std::string why;
  auto doc = qmp::json::parse_object(text, &why);
  if (!doc) return fail("not a JSON object: " + why);
  CommandStep command;
  bool named = false;
  for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
    const std::string_view key = qmp::json::view(it->name);
    if (key == "execute" || key == "exec-oob") {
      if (named) return fail("a command object has one of \"execute\" and \"exec-oob\", not both");
      if (!it->value.IsString() || it->value.GetStringLength() == 0)
        return fail("\"" + std::string(key) + "\" must be a command name (a non-empty string)");
      command.name = std::string(qmp::json::view(it->value));
      command.oob = key == "exec-oob";
      named = true;
    } else if (key == "arguments") {
      if (!it->value.IsObject()) return fail("\"arguments\" must be an object");
      command.arguments_json = qmp::json::to_string(it->value);
    } else if (key == "id") {
      return fail("leave out \"id\": qmpc numbers the commands it sends");
    } else {
      return fail("unexpected member \"" + std::string(key) +
                  "\" (a command object has \"execute\" or \"exec-oob\", and \"arguments\")");
    }
  }
  if (!named) return fail("a command object needs \"execute\" (or \"exec-oob\")");
  return command;
}

std::optional<Step> parse_step(std::string_view line, std::size_t line_number, std::string* error) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const auto first = line.find_first_not_of(kBlanks);
  if (first == std::string_view::npos || line[first] == '#') return std::nullopt;
  Step step;
  step.line = line_number;
  if (line[first] == '{') {
    auto command = parse_command_object(line.substr(first), error);
    if (!command) return std::nullopt;
    step.action = std::move(*command);
    return step;
  }
  auto words = split_words(line, error);
  if (!words) return std::nullopt;
  if ((*words)[0] == "wait-event") return parse_wait(*words, std::move(step), error);
  CommandStep command;
  command.name = (*words)[0];
  if (command.name.empty() || command.name[0] == '-')
    return fail(error, "expected a command name, got '" + command.name + "'");
  auto arguments = cli::build_arguments(std::span<const std::string>(*words).subspan(1), error);
  if (!arguments) return std::nullopt;
  command.arguments_json = std::move(*arguments);
  step.action = std::move(command);
  return step;
}

ParsedScript parse_script(std::string_view text) {
  ParsedScript script;
  std::size_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string why;
    auto step = parse_step(text.substr(start, end - start), number, &why);
    if (!why.empty()) {
      script.error = "line " + std::to_string(number) + ": " + why;
      script.steps.clear();
      return script;
    }
    if (step) script.steps.push_back(std::move(*step));
    start = end + 1;
  }
  return script;
}

}  // namespace qmpc::script
