#include "cli/match_condition.hpp"

#include "cli/key_value.hpp"

namespace qmpc::cli {

std::optional<qmp::DataCondition> parse_match_condition(std::string_view word, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<qmp::DataCondition> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  const auto eq = word.find('=');
  if (eq == std::string_view::npos) return fail("expected PATH=VALUE, got '" + std::string(word) + "'");
  const std::string_view path = word.substr(0, eq);
  if (path.empty()) return fail("missing path before '=' in '" + std::string(word) + "'");
  if (path.front() == '.' || path.back() == '.' || path.find("..") != std::string_view::npos)
    return fail("empty path segment in '" + std::string(path) + "' (paths look like a or a.b)");
  return qmp::DataCondition{std::string(path), value_to_json(word.substr(eq + 1))};
}

}  // namespace qmpc::cli
