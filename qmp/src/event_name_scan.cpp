#include "qmp/event_name_scan.hpp"

#include <cstddef>

namespace qmp {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t skip_space(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// From the opening quote at `i`: one past the closing quote, or npos. `escaped` tells whether a backslash occurred.
std::size_t end_of_string(std::string_view s, std::size_t i, bool& escaped) noexcept {
  escaped = false;
  for (++i; i < s.size(); ++i) {
    if (s[i] == '"') return i + 1;
    if (s[i] == '\\') {
      escaped = true;
      ++i;
    }
  }
  return npos;
}

// One past the value starting at `i` (brackets counted, strings skipped; nothing validated), or npos.
std::size_t end_of_value(std::string_view s, std::size_t i) noexcept {
  if (i >= s.size()) return npos;
  bool escaped = false;
  if (s[i] == '"') return end_of_string(s, i, escaped);
  if (s[i] == '{' || s[i] == '[') {
    std::size_t depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = end_of_string(s, i, escaped);
        if (i == npos) return npos;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return npos;
  }
  const std::size_t from = i;
  while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']') ++i;
  return i == from ? npos : i;
}

// QEMU writes every event as {"timestamp": {"seconds": S, "microseconds": U}, "event": "NAME", ...: where the line
// starts so, the index of NAME's first byte (found with a few comparisons instead of a walk through the
// timestamp), else npos (the general scan then decides).
std::size_t name_in_qemus_layout(std::string_view line) noexcept {
  constexpr std::string_view seconds = R"({"timestamp": {"seconds": )";
  constexpr std::string_view microseconds = R"(, "microseconds": )";
  constexpr std::string_view event = R"(}, "event": ")";
  const auto digits = [&](std::size_t i) {
    const std::size_t from = i;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
    return i == from ? npos : i;
  };
  const auto after = [&](std::size_t i, std::string_view text) {
    return i != npos && line.substr(i, text.size()) == text ? i + text.size() : npos;
  };
  std::size_t i = after(0, seconds);
  if (i != npos) i = digits(i);
  i = after(i, microseconds);
  if (i != npos) i = digits(i);
  return after(i, event);
}

}  // namespace

std::optional<std::string_view> scan_event_name(std::string_view line) noexcept {
  if (const std::size_t name = name_in_qemus_layout(line); name != npos) {
    const std::size_t end = line.find('"', name);
    if (end == npos || line.substr(name, end - name).find('\\') != npos) return std::nullopt;
    return line.substr(name, end - name);
  }
  std::size_t i = skip_space(line, 0);
  if (i >= line.size() || line[i] != '{') return std::nullopt;
  ++i;
  for (;;) {
    i = skip_space(line, i);
    if (i >= line.size() || line[i] != '"') return std::nullopt;
    bool escaped = false;
    const std::size_t key_end = end_of_string(line, i, escaped);
    if (key_end == npos || escaped) return std::nullopt;
    const std::string_view key = line.substr(i + 1, key_end - i - 2);
    i = skip_space(line, key_end);
    if (i >= line.size() || line[i] != ':') return std::nullopt;
    i = skip_space(line, i + 1);
    if (key == "event") {
      if (i >= line.size() || line[i] != '"') return std::nullopt;
      const std::size_t name_end = end_of_string(line, i, escaped);
      if (name_end == npos || escaped) return std::nullopt;
      return line.substr(i + 1, name_end - i - 2);
    }
    if (key == "return" || key == "error" || key == "id" || key == "QMP") return std::nullopt;
    i = end_of_value(line, i);
    if (i == npos) return std::nullopt;
    i = skip_space(line, i);
    if (i >= line.size() || line[i] != ',') return std::nullopt;
    ++i;
  }
}

}  // namespace qmp
