#include "qmp/printable.hpp"

#include <cstdint>
#include <cstdio>

namespace qmp {
namespace {

// The length of the valid UTF-8 sequence at the start of `s` and its code point, or 0 when it is invalid
// (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t decode(std::string_view s, char32_t& cp) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t n;
  char32_t min;
  if ((c & 0xe0) == 0xc0) {
    n = 2, cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3, cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

bool is_control(char32_t cp) { return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f); }

void append_hex(std::string& out, const char* format, unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

}  // namespace

std::string printable(std::string_view text, Newlines newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = decode(text.substr(i), cp);
    if (n == 0) {
      append_hex(out, "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (!is_control(cp)) {
      out.append(text.substr(i, n));
    } else if (cp == '\n') {
      out += newlines == Newlines::keep ? "\n" : "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else {
      append_hex(out, cp < 0x80 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(cp));
    }
    i += n;
  }
  return out;
}

std::string printable_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size();) {
    char32_t cp = 0;
    const std::size_t n = decode(json.substr(i), cp);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
      continue;
    }
    if (is_control(cp) && cp != '\t' && cp != '\n' && cp != '\r') {
      append_hex(out, "\\u%04x", static_cast<unsigned>(cp));
    } else {
      out.append(json.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string PrintableStream::feed(std::string_view chunk) {
  std::string text = std::move(held_);
  held_.clear();
  text.append(chunk);
  // The start of an unfinished sequence among the last three bytes: a lead byte announcing more bytes than follow.
  std::size_t cut = text.size();
  for (std::size_t k = 1; k <= 3 && k <= text.size(); ++k) {
    const auto c = static_cast<unsigned char>(text[text.size() - k]);
    if ((c & 0xc0) == 0x80) continue;  // a continuation byte: look further back
    const std::size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
    if (n > k) cut = text.size() - k;
    break;
  }
  held_.assign(text, cut, std::string::npos);
  text.resize(cut);
  return printable(text, Newlines::keep);
}

std::string PrintableStream::finish() {
  std::string rest = std::move(held_);
  held_.clear();
  return printable(rest, Newlines::keep);
}

}  // namespace qmp
