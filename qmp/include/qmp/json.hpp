// JSON helpers over RapidJSON: compact serialisation, member access that tolerates absent or mistyped members,
// and a small builder for command arguments.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmp::json {

using Value = rapidjson::Value;
using Document = rapidjson::Document;

// Compact JSON text of a value (the form qmpc sends and logs).
std::string to_string(const Value& v);
// Indented JSON text.
std::string to_pretty_string(const Value& v);

// Member lookup: nullptr when `obj` is not an object or lacks `key`.
const Value* find(const Value& obj, std::string_view key) noexcept;
// Typed member lookup: nullopt when absent or of another type.
std::optional<std::string_view> get_string(const Value& obj, std::string_view key) noexcept;
std::optional<std::int64_t> get_int(const Value& obj, std::string_view key) noexcept;
std::optional<std::uint64_t> get_uint(const Value& obj, std::string_view key) noexcept;
std::optional<bool> get_bool(const Value& obj, std::string_view key) noexcept;

inline std::string_view view(const Value& s) noexcept { return {s.GetString(), s.GetStringLength()}; }

// The deepest nesting of arrays and objects qmpc reads, in any JSON from anywhere: QEMU, files, the command line.
// RapidJSON's reader recurses once per level, so deeper input is refused rather than parsed (QEMU's own parser
// stops at 1,024 levels).
inline constexpr unsigned kMaxDepth = 1000;

// Why a parse failed: the byte offset of the problem and RapidJSON's message (or the nesting limit).
struct ParseFailure {
  std::size_t offset = 0;
  std::string what;  // e.g. "Missing a comma or ']' after an array element.", "nested deeper than 1000 levels"
};

// Every parse below is bounded by kMaxDepth.
// Parses `text` into `doc`; `full_precision` keeps doubles exact (for values given by users).
std::optional<ParseFailure> parse(Document& doc, std::string_view text, bool full_precision = false);
// Parses the NUL-terminated `text` in place: strings of `doc` point into it, so it must outlive `doc`.
std::optional<ParseFailure> parse_insitu(Document& doc, char* text);
// Checks that `text` is one well-formed JSON value, without building a DOM.
std::optional<ParseFailure> check_syntax(std::string_view text);

// Where each top-level member of a JSON object text sits, found without building a DOM (the proxy rewrites "id"
// members in place and forwards everything else byte for byte).
struct MemberSpan {
  std::string name;
  std::size_t begin = 0;        // end of the previous member's value (so the ',' before it is inside), or just past '{'
  std::size_t value_begin = 0;  // first byte of the value
  std::size_t value_end = 0;    // one past its last byte
  std::optional<std::string> string_value;  // the value, unescaped, when it is a string
};
struct ObjectLayout {
  std::vector<MemberSpan> members;  // in text order (a repeated name appears repeatedly)
  const MemberSpan* find(std::string_view name) const noexcept;
};
// Scans `text`, which must be one JSON object (nested at most kMaxDepth deep). On failure returns nullopt and, when
// `failure` is given, fills it ("not an object" for valid JSON of another type).
std::optional<ObjectLayout> scan_object(std::string_view text, ParseFailure* failure = nullptr);

// Parses text that must be one JSON object. On failure returns nullopt and fills `error` with what was wrong
// (RapidJSON's message or the nesting limit, the offset, an excerpt).
std::optional<Document> parse_object(std::string_view text, std::string* error = nullptr);

// Appends `s` as a JSON string literal (quotes and escapes) to `out`.
void append_quoted(std::string& out, std::string_view s);

// Builds a compact JSON object incrementally:
//   qmp::json::Object().add("device", "job0").add("speed", 0).str()  ->  {"device":"job0","speed":0}
class Object {
 public:
  Object();
  Object& add(std::string_view key, std::string_view value);
  Object& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  Object& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
  Object& add(std::string_view key, bool value);
  Object& add(std::string_view key, std::int64_t value);
  Object& add(std::string_view key, int value) { return add(key, static_cast<std::int64_t>(value)); }
  Object& add(std::string_view key, std::uint64_t value);
  Object& add(std::string_view key, const Object& nested);
  Object& add(std::string_view key, const Value& value);
  // Adds a member whose value is already JSON text (trusted to be valid).
  Object& add_raw(std::string_view key, std::string_view json_text);
  bool empty() const noexcept { return empty_; }
  std::string str() const { return text_ + "}"; }

 private:
  void key(std::string_view k);
  std::string text_;
  bool empty_ = true;
};

}  // namespace qmp::json
