#include "qmp/json.hpp"

#include "detail/json_parse.hpp"
#include "qmp/codec.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/prettywriter.h>

namespace qmp::json {
namespace {

// Forwards SAX events to `Inner`, refusing the first array or object that opens past kMaxDepth: the reader then
// stops at once, after at most kMaxDepth recursive frames.
template <typename Inner>
class DepthLimit {
 public:
  using Ch = char;
  explicit DepthLimit(Inner& inner) : inner_(inner) {}
  bool too_deep() const noexcept { return too_deep_; }

  bool Null() { return inner_.Null(); }
  bool Bool(bool b) { return inner_.Bool(b); }
  bool Int(int i) { return inner_.Int(i); }
  bool Uint(unsigned i) { return inner_.Uint(i); }
  bool Int64(std::int64_t i) { return inner_.Int64(i); }
  bool Uint64(std::uint64_t i) { return inner_.Uint64(i); }
  bool Double(double d) { return inner_.Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) { return inner_.RawNumber(s, n, copy); }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) { return inner_.String(s, n, copy); }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) { return inner_.Key(s, n, copy); }
  bool StartObject() { return enter() && inner_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return inner_.EndObject(members);
  }
  bool StartArray() { return enter() && inner_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return inner_.EndArray(elements);
  }

 private:
  bool enter() {
    if (++depth_ <= kMaxDepth) return true;
    too_deep_ = true;
    return false;
  }
  Inner& inner_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
};

template <unsigned Flags, typename Stream, typename Handler>
std::optional<ParseFailure> parse_bounded(Stream& stream, Handler& handler) {
  rapidjson::Reader reader;
  DepthLimit<Handler> limited(handler);
  const rapidjson::ParseResult r = reader.Parse<Flags>(stream, limited);
  if (!r.IsError()) return std::nullopt;
  if (limited.too_deep())
    return ParseFailure{r.Offset(), "nested deeper than " + std::to_string(kMaxDepth) + " levels (the limit)"};
  return ParseFailure{r.Offset(), rapidjson::GetParseError_En(r.Code())};
}

// Fills `doc` from `stream` (the document is the SAX handler; Populate moves the root into it).
template <unsigned Flags, typename Stream, typename Doc>
std::optional<ParseFailure> parse_document(Doc& doc, Stream& stream) {
  std::optional<ParseFailure> failure;
  auto generate = [&](Doc& d) {
    failure = parse_bounded<Flags>(stream, d);
    return !failure;
  };
  doc.Populate(generate);
  return failure;
}

}  // namespace

std::optional<ParseFailure> parse(Document& doc, std::string_view text, bool full_precision) {
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  if (full_precision) return parse_document<rapidjson::kParseFullPrecisionFlag>(doc, is);
  return parse_document<rapidjson::kParseDefaultFlags>(doc, is);
}

namespace detail {

template <typename Doc>
std::optional<ParseFailure> parse_insitu_bounded_into(Doc& doc, char* text) {
  rapidjson::InsituStringStream is(text);
  return parse_document<rapidjson::kParseInsituFlag>(doc, is);
}

std::optional<ParseFailure> parse_insitu_bounded(Document& doc, char* text) {
  return parse_insitu_bounded_into(doc, text);
}

std::optional<ParseFailure> parse_insitu_bounded(MessageDocument& doc, char* text) {
  return parse_insitu_bounded_into(doc, text);
}

}  // namespace detail

std::optional<ParseFailure> check_syntax(std::string_view text) {
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::BaseReaderHandler<> ignore;
  return parse_bounded<rapidjson::kParseDefaultFlags>(ms, ignore);
}

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
  if (const auto failure = parse(d, text)) {
    if (error) {
      *error = failure->what + " at offset " + std::to_string(failure->offset) + " near '" +
               excerpt(text, failure->offset) + "'";
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

namespace qmp::json {
namespace {

// Records where the members of the root object start and end; refuses a root that is not an object.
class LayoutHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, LayoutHandler> {
 public:
  LayoutHandler(const rapidjson::MemoryStream& stream, ObjectLayout& out) : stream_(stream), out_(out) {}
  bool not_object = false;

  bool Default() { return value_done(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1 && !out_.members.empty()) out_.members.back().string_value.emplace(s, n);
    return value_done();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1) {
      MemberSpan m;
      m.name.assign(s, n);
      m.begin = prev_end_;
      m.value_begin = stream_.Tell();  // just past the key's closing quote; moved past ':' by scan_object
      out_.members.push_back(std::move(m));
    }
    return true;
  }
  bool StartObject() {
    if (depth_ == 0) prev_end_ = stream_.Tell();
    ++depth_;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return value_done();
  }
  bool StartArray() {
    if (depth_ == 0) return refuse();
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return value_done();
  }

 private:
  bool refuse() {
    not_object = true;
    return false;
  }
  // A value ended: at depth 1 it is a member's value of the root object.
  bool value_done() {
    if (depth_ == 0 && out_.members.empty() && prev_end_ == 0) return refuse();  // a scalar root
    if (depth_ == 1) {
      prev_end_ = stream_.Tell();
      if (!out_.members.empty()) out_.members.back().value_end = prev_end_;
    }
    return true;
  }
  const rapidjson::MemoryStream& stream_;
  ObjectLayout& out_;
  unsigned depth_ = 0;
  std::size_t prev_end_ = 0;
};

}  // namespace

const MemberSpan* ObjectLayout::find(std::string_view name) const noexcept {
  for (const auto& m : members)
    if (m.name == name) return &m;
  return nullptr;
}

std::optional<ObjectLayout> scan_object(std::string_view text, ParseFailure* failure) {
  ObjectLayout layout;
  rapidjson::MemoryStream ms(text.data(), text.size());
  LayoutHandler handler(ms, layout);
  auto parsed = parse_bounded<rapidjson::kParseDefaultFlags>(ms, handler);
  if (parsed || handler.not_object) {
    if (failure) *failure = handler.not_object ? ParseFailure{0, "not an object"} : *parsed;
    return std::nullopt;
  }
  for (auto& m : layout.members) {
    auto i = m.value_begin;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n' || text[i] == ':'))
      ++i;
    m.value_begin = i;
  }
  return layout;
}

}  // namespace qmp::json
