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

// Parses text that must be one JSON object. On failure returns nullopt and fills `error` with what was wrong
// (RapidJSON's message, the offset, an excerpt).
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
