#include "detail/redact_text.hpp"

#include "qmp/redact.hpp"

#include <cctype>

namespace qmp::detail {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Replaces s[begin, end) when it is not empty or already redacted.
bool replace(std::string& s, std::size_t begin, std::size_t end) {
  if (end <= begin || s.compare(begin, end - begin, kRedacted) == 0) return false;
  s.replace(begin, end - begin, kRedacted);
  return true;
}

// scheme://user:PASSWORD@host: the password up to the '@' of the authority.
bool redact_url_passwords(std::string& s) {
  bool changed = false;
  for (std::size_t at = s.find("://"); at != std::string::npos; at = s.find("://", at + 1)) {
    const std::size_t start = at + 3;
    std::size_t end = start;
    while (end < s.size() && s[end] != '/' && s[end] != '?' && s[end] != '#' && s[end] != '@' && !is_space(s[end]) &&
           s[end] != '"' && s[end] != '\'')
      ++end;
    if (end >= s.size() || s[end] != '@') continue;
    const std::size_t colon = s.find(':', start);
    if (colon == std::string::npos || colon > end) continue;
    changed |= replace(s, colon + 1, end);
  }
  return changed;
}

// The end of a QemuOpts value starting at `begin`: the next ',' (",," is an escaped comma), or a space.
std::size_t opts_value_end(const std::string& s, std::size_t begin, bool colon_ends) {
  std::size_t i = begin;
  while (i < s.size() && !is_space(s[i]) && s[i] != '"' && !(colon_ends && s[i] == ':')) {
    if (s[i] == ',') {
      if (i + 1 < s.size() && s[i + 1] == ',') {
        i += 2;
        continue;
      }
      break;
    }
    ++i;
  }
  return i;
}

// NAME=VALUE where NAME starts the string or follows one of `before`.
bool redact_assignments(std::string& s, std::string_view name, std::string_view before, bool colon_ends) {
  bool changed = false;
  const std::string needle = std::string(name) + "=";
  for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) {
    if (at > 0 && before.find(s[at - 1]) == std::string_view::npos) continue;
    const std::size_t begin = at + needle.size();
    changed |= replace(s, begin, opts_value_end(s, begin, colon_ends));
  }
  return changed;
}

// The next whitespace-separated token from `pos`: its start, and its end in `end`.
std::size_t token_after(const std::string& s, std::size_t pos, std::size_t* end) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  std::size_t e = pos;
  while (e < s.size() && !is_space(s[e])) ++e;
  *end = e;
  return pos;
}

// set_password [-d DISPLAY] PROTOCOL PASSWORD ...; change vnc password PASSWORD.
bool redact_hmp_passwords(std::string& s) {
  bool changed = false;
  for (std::size_t at = s.find("set_password"); at != std::string::npos; at = s.find("set_password", at + 1)) {
    std::size_t end = at + 12;
    std::size_t begin = token_after(s, end, &end);
    if (s.compare(begin, end - begin, "-d") == 0) {  // -d DISPLAY
      token_after(s, end, &end);
      begin = token_after(s, end, &end);
    }
    begin = token_after(s, end, &end);  // the password follows the protocol
    changed |= replace(s, begin, end);
  }
  for (std::size_t at = s.find("change"); at != std::string::npos; at = s.find("change", at + 1)) {
    std::size_t end = at + 6;
    std::size_t begin = token_after(s, end, &end);
    if (s.compare(begin, end - begin, "vnc") != 0) continue;
    begin = token_after(s, end, &end);
    if (s.compare(begin, end - begin, "password") != 0) continue;
    begin = token_after(s, end, &end);
    changed |= replace(s, begin, end);
  }
  return changed;
}

}  // namespace

bool text_may_hold_secret(std::string_view s) noexcept {
  return s.find("://") != std::string_view::npos || s.find("key=") != std::string_view::npos ||
         s.find("password") != std::string_view::npos || s.find("secret") != std::string_view::npos;
}

bool redact_text(std::string& s) {
  if (!text_may_hold_secret(s)) return false;
  bool changed = redact_url_passwords(s);
  changed |= redact_assignments(s, "key", ":", true);  // rbd:pool/img:id=admin:key=AQB...
  changed |= redact_assignments(s, "password", ", :", false);
  if (s.find("secret") != std::string::npos) changed |= redact_assignments(s, "data", ", ", false);
  changed |= redact_hmp_passwords(s);
  return changed;
}

}  // namespace qmp::detail
