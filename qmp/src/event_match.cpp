#include "qmp/event_match.hpp"

#include "detail/array_index.hpp"

#include <algorithm>
#include <stdexcept>

namespace qmp {
namespace {

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_char(char a, char b, bool ignore_case) noexcept {
  return ignore_case ? lower(a) == lower(b) : a == b;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    segments.emplace_back(path.substr(start, dot == std::string_view::npos ? path.npos : dot - start));
    if (segments.back().empty())
      throw std::invalid_argument("empty segment in the data path '" + std::string(path) +
                                  "' (paths look like a or a.b)");
    if (dot == std::string_view::npos) return segments;
    start = dot + 1;
  }
}

const json::Value* step_into(const json::Value& node, std::string_view segment) noexcept {
  if (node.IsObject()) return json::find(node, segment);
  if (node.IsArray()) {
    const auto i = detail::array_index(segment);
    if (!i || *i >= node.Size()) return nullptr;
    return &node[static_cast<rapidjson::SizeType>(*i)];
  }
  return nullptr;
}

// JSON equality with numbers compared by value (RapidJSON's operator== already does so for mixed int/double, and
// compares objects member by member whatever their order).
bool json_equal(const json::Value& a, const json::Value& b) { return a == b; }

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool ignore_case) noexcept {
  // Iterative matching with one backtrack point (the last '*'): linear in practice, never exponential.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    const bool literal = p < pattern.size() && pattern[p] != '*';
    if (literal && (pattern[p] == '?' || same_char(pattern[p], text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const json::Value* find_path(const json::Value& root, std::string_view path) noexcept {
  const json::Value* node = &root;
  std::size_t start = 0;
  while (node) {
    const auto dot = path.find('.', start);
    node = step_into(*node, path.substr(start, dot == std::string_view::npos ? path.npos : dot - start));
    if (dot == std::string_view::npos) return node;
    start = dot + 1;
  }
  return nullptr;
}

EventMatch::EventMatch(std::vector<std::string> patterns, std::vector<DataCondition> conditions, bool ignore_case)
    : patterns_(std::move(patterns)), ignore_case_(ignore_case) {
  for (auto& c : conditions) {
    auto doc = std::make_shared<json::Document>();
    if (json::parse(*doc, c.value_json, /*full_precision=*/true))
      throw std::invalid_argument("the value for '" + c.path + "' is not JSON: " + c.value_json);
    conditions_.push_back({split_path(c.path), c.path + "=" + c.value_json, std::move(doc)});
  }
}

bool EventMatch::name_matches(std::string_view name) const {
  if (patterns_.empty()) return true;
  for (const auto& p : patterns_)
    if (glob_match(p, name, ignore_case_)) return true;
  return false;
}

bool EventMatch::data_matches(const json::Value* data) const {
  for (const auto& c : conditions_) {
    const json::Value* node = data;
    for (const auto& segment : c.path) {
      if (!node) break;
      node = step_into(*node, segment);
    }
    if (!node || !json_equal(*node, *c.value)) return false;
  }
  return true;
}

bool EventMatch::matches(const Message& event) const {
  return event.valid() && event.is_event() && name_matches(event.event_name()) && data_matches(event.data());
}

std::string EventMatch::describe() const {
  std::string text;
  for (const auto& p : patterns_) text += (text.empty() ? "" : " or ") + p;
  if (text.empty()) text = "any event";
  for (std::size_t i = 0; i < conditions_.size(); ++i) text += (i == 0 ? " with " : " ") + conditions_[i].text;
  return text;
}

EventFilter EventMatch::filter() const {
  EventFilter f;
  // Exact names go in the filter's name list too, so that a session drops the other events unparsed; patterns
  // and names compared without case leave it empty (every name reaches the predicate).
  const bool exact = !ignore_case_ && std::none_of(patterns_.begin(), patterns_.end(), [](const std::string& p) {
    return p.find_first_of("*?") != std::string::npos;
  });
  if (exact) f.names = patterns_;
  f.predicate = [match = *this](const Message& m) { return match.matches(m); };
  return f;
}

}  // namespace qmp
