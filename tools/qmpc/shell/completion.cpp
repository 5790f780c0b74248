#include "shell/completion.hpp"

#include "cli/key_value.hpp"
#include "script/words.hpp"

#include "qmp/json.hpp"

#include <algorithm>
#include <optional>
#include <set>

namespace qmpc::shell {

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

std::string join_path(std::string_view base, std::string_view rest) {
  if (base.empty()) return std::string(rest);
  if (rest.empty()) return std::string(base);
  return std::string(base) + "." + std::string(rest);
}

// Where the arguments of the word being completed go, and what the line gave before it.
struct ArgumentPlace {
  std::string command;    // whose schema is asked
  std::string base_path;  // "" for the command's arguments; "actions.0.data" for an action; "properties"
  std::string arguments;  // the whole arguments object so far, as JSON ("" when the earlier words do not make one)
  std::set<std::string> given_keys;  // keys given by the earlier words, as typed (dotted)
};

// The keys of KEY=VALUE words.
std::set<std::string> keys_of(std::span<const std::string> words) {
  std::set<std::string> keys;
  for (const auto& w : words)
    if (const auto eq = w.find('='); eq != std::string::npos && eq > 0) keys.insert(w.substr(0, eq));
  return keys;
}

// `earlier` as an arguments object wrapped as `base_path` says; "" when they are not KEY=VALUE words.
std::string whole_arguments(std::span<const std::string> earlier, std::string_view base_path,
                            std::string_view action_type) {
  std::string error;
  auto built = cli::build_arguments(earlier, &error);
  if (!built) return {};
  const std::string inner = built->empty() ? "{}" : *built;
  if (base_path.empty()) return inner;
  qmp::json::Object whole;
  if (base_path == "properties") {
    whole.add_raw("properties", inner);
  } else {
    qmp::json::Object action;
    action.add("type", action_type);
    action.add_raw("data", inner);
    whole.add_raw("actions", "[" + action.str() + "]");
  }
  return whole.str();
}

void keep_matching(std::vector<std::string>& out, const std::vector<std::string>& all, std::string_view prefix) {
  for (const auto& c : all)
    if (c.starts_with(prefix)) out.push_back(c);
}

Completion finish(Completion c) {
  std::sort(c.candidates.begin(), c.candidates.end());
  c.candidates.erase(std::unique(c.candidates.begin(), c.candidates.end()), c.candidates.end());
  return c;
}

Completion first_word(std::size_t start, std::string_view partial, const qmp::Schema* schema,
                      std::span<const std::string> command_names, LineContext context) {
  Completion c;
  c.start = start;
  std::vector<std::string> all;
  if (context == LineContext::transaction_action) {
    if (schema) all = schema->enum_values("transaction", "actions.type");
    all.emplace_back(")");
  } else {
    all.assign(command_names.begin(), command_names.end());
    for (const char* own : {"hmp", "exit", "transaction("}) all.emplace_back(own);
  }
  keep_matching(c.candidates, all, partial);
  c.append_space = !(c.candidates.size() == 1 && (c.candidates[0] == "transaction(" || c.candidates[0] == ")"));
  return finish(std::move(c));
}

Completion key_word(std::size_t start, std::string_view partial, const qmp::Schema& schema,
                    const ArgumentPlace& place) {
  Completion c;
  c.start = start;
  c.append_space = false;
  qmp::json::Document args;
  const bool have_args = !place.arguments.empty() && !qmp::json::parse(args, place.arguments);
  const qmp::json::Value* context = have_args ? &args : nullptr;
  const auto dot = partial.rfind('.');
  const std::string parent = dot == std::string_view::npos ? "" : std::string(partial.substr(0, dot));
  const std::string_view leaf = dot == std::string_view::npos ? partial : partial.substr(dot + 1);
  const std::string path = join_path(place.base_path, parent);
  if (!parent.empty() && schema.member_names(place.command, path, context).empty()) return c;
  for (const auto& name : schema.member_names(place.command, path, context)) {
    if (!name.starts_with(leaf)) continue;
    const std::string key = join_path(parent, name);
    if (!place.given_keys.contains(key)) c.candidates.push_back(key + "=");
    if (!schema.member_names(place.command, join_path(path, name), context).empty()) c.candidates.push_back(key + ".");
  }
  return finish(std::move(c));
}

Completion value_word(std::size_t start, std::string_view key, std::string_view partial, const qmp::Schema& schema,
                      const ArgumentPlace& place) {
  Completion c;
  c.start = start;
  qmp::json::Document args;
  const bool have_args = !place.arguments.empty() && !qmp::json::parse(args, place.arguments);
  keep_matching(c.candidates,
                schema.enum_values(place.command, join_path(place.base_path, key), have_args ? &args : nullptr),
                partial);
  return finish(std::move(c));
}

}  // namespace

Completion complete(std::string_view line, const qmp::Schema* schema, std::span<const std::string> command_names,
                    LineContext context) {
  Completion none;
  none.start = line.size();
  if (context == LineContext::hmp) return none;
  // The word under the cursor starts after the last blank; an open quote before it means it is inside a quoted
  // value, where nothing is offered.
  std::size_t start = line.size();
  while (start > 0 && !blank(line[start - 1])) --start;
  const std::string_view word = line.substr(start);
  auto earlier = script::split_words(line.substr(0, start));
  if (!earlier || word.find_first_of("'\"\\") != std::string_view::npos) return none;
  if (earlier->empty()) return first_word(start, word, schema, command_names, context);
  if (!schema) return none;

  ArgumentPlace place;
  std::span<const std::string> given(*earlier);
  const std::string& head = given.front();
  if (context == LineContext::transaction_action) {
    if (head == ")") return none;
    place.command = "transaction";
    place.base_path = "actions.0.data";
    given = given.subspan(1);
  } else if (head.starts_with("transaction(")) {
    place.command = "transaction";
    place.base_path = "properties";
    if (head == "transaction(")
      given = given.subspan(1);
    else
      return none;  // "transaction(x=1 ..." is refused anyway
  } else {
    if (head == "hmp" || head == "exit" || head.starts_with("{")) return none;
    place.command = head;
    given = given.subspan(1);
  }
  if (!given.empty() && given.front().starts_with("{")) return none;
  place.given_keys = keys_of(given);
  place.arguments = whole_arguments(given, place.base_path, head);
  if (const auto eq = word.find('='); eq != std::string_view::npos) {
    if (eq == 0) return none;
    return value_word(start + eq + 1, word.substr(0, eq), word.substr(eq + 1), *schema, place);
  }
  if (word.starts_with("{")) return none;
  return key_word(start, word, *schema, place);
}

}  // namespace qmpc::shell
