#include "qmp/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>

namespace qmp::json {

std::string to_string(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

std::string to_pretty_string(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

const Value* find(const Value& obj, std::string_view key) noexcept {
  if (!obj.IsObject()) return nullptr;
  const auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> get_string(const Value& obj, std::string_view key) noexcept {
  const Value* v = find(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return view(*v);
}

std::optional<std::int64_t> get_int(const Value& obj, std::string_view key) noexcept {
  const Value* v = find(obj, key);
  if (!v || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

std::optional<std::uint64_t> get_uint(const Value& obj, std::string_view key) noexcept {
  const Value* v = find(obj, key);
  if (!v || !v->IsUint64()) return std::nullopt;
  return v->GetUint64();
}

std::optional<bool> get_bool(const Value& obj, std::string_view key) noexcept {
  const Value* v = find(obj, key);
  if (!v || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::optional<Document> parse_object(std::string_view text, std::string* error) {
  Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError()) {
    if (error) {
      const std::size_t off = d.GetErrorOffset();
      const std::size_t from = off > 20 ? off - 20 : 0;
      *error = std::string(rapidjson::GetParseError_En(d.GetParseError())) + " at offset " + std::to_string(off) +
               " near '" + std::string(text.substr(from, 40)) + "'";
    }
    return std::nullopt;
  }
  if (!d.IsObject()) {
    if (error) *error = "expected a JSON object";
    return std::nullopt;
  }
  return d;
}

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

Object::Object() : text_("{") {}

void Object::key(std::string_view k) {
  if (!empty_) text_.push_back(',');
  empty_ = false;
  append_quoted(text_, k);
  text_.push_back(':');
}

Object& Object::add(std::string_view k, std::string_view value) {
  key(k);
  append_quoted(text_, value);
  return *this;
}

Object& Object::add(std::string_view k, bool value) {
  key(k);
  text_ += value ? "true" : "false";
  return *this;
}

Object& Object::add(std::string_view k, std::int64_t value) {
  key(k);
  text_ += std::to_string(value);
  return *this;
}

Object& Object::add(std::string_view k, std::uint64_t value) {
  key(k);
  text_ += std::to_string(value);
  return *this;
}

Object& Object::add(std::string_view k, const Object& nested) { return add_raw(k, nested.str()); }

Object& Object::add(std::string_view k, const Value& value) { return add_raw(k, to_string(value)); }

Object& Object::add_raw(std::string_view k, std::string_view json_text) {
  key(k);
  text_ += json_text;
  return *this;
}

}  // namespace qmp::json
