#include "qmp/codec.hpp"

#include <cstddef>
#include <cstring>

namespace qmp {

std::string excerpt(std::string_view text, std::size_t offset, std::size_t width) {
  const std::size_t half = width / 2;
  const std::size_t from = offset > half ? offset - half : 0;
  std::string out;
  if (from > 0) out += "...";
  for (const char ch : text.substr(from, width)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  if (from + width < text.size()) out += "...";
  return out;
}

namespace {

// One allocation holds a message's text (parsed in place, so strings are not copied) and the first chunk of its
// DOM pool; RapidJSON's default pool would take 64 KiB per document. The pool starts at the next aligned offset
// after the text: RapidJSON places values at the start of its chunks.
struct ParsedDocument {
  explicit ParsedDocument(std::string_view line)
      : storage(new char[pool_offset(line) + pool_size(line)]),
        pool(storage.get() + pool_offset(line), pool_size(line), kOverflowChunk),
        doc(&pool, kParseStack) {
    std::memcpy(storage.get(), line.data(), line.size());
    storage[line.size()] = '\0';
  }
  static std::size_t pool_offset(std::string_view line) {
    constexpr std::size_t align = alignof(std::max_align_t);
    return (line.size() + 1 + align - 1) / align * align;
  }
  static std::size_t pool_size(std::string_view line) { return line.size() + 256; }
  static constexpr std::size_t kOverflowChunk = 4096;
  static constexpr std::size_t kParseStack = 256;

  std::unique_ptr<char[]> storage;
  rapidjson::MemoryPoolAllocator<> pool;
  json::Document doc;
};

}  // namespace

Decoded decode_line(std::string_view line, std::uint64_t seq, Clock::time_point time, bool accept_commands) {
  auto holder = std::make_shared<ParsedDocument>(line);
  json::Document* doc = &holder->doc;
  if (const auto failure = json::parse_insitu(*doc, holder->storage.get())) {
    const std::size_t off = failure->offset;
    return {std::nullopt, DecodeError{DecodeError::Reason::malformed_json, off,
                                      failure->what + " at offset " + std::to_string(off) + ": '" +
                                          excerpt(line, off) + "'"}};
  }
  if (!doc->IsObject()) {
    return {std::nullopt, DecodeError{DecodeError::Reason::not_an_object, 0,
                                      "expected a JSON object, got '" + excerpt(line, 0) + "'"}};
  }
  MessageKind kind;
  // Members are looked up in the order of likelihood on a busy session: events, then replies.
  if (doc->HasMember("event")) {
    kind = MessageKind::event;
  } else if (doc->HasMember("return")) {
    kind = MessageKind::reply;
  } else if (doc->HasMember("error")) {
    kind = MessageKind::error_reply;
  } else if (doc->HasMember("QMP")) {
    kind = MessageKind::greeting;
  } else if (accept_commands && (doc->HasMember("execute") || doc->HasMember("exec-oob"))) {
    kind = MessageKind::command;
  } else {
    return {std::nullopt, DecodeError{DecodeError::Reason::unknown_shape, 0,
                                      "a JSON object that is no QMP message: '" + excerpt(line, 0) + "'"}};
  }
  return {Message(seq, time, kind, std::shared_ptr<const json::Document>(std::move(holder), doc)), std::nullopt};
}

std::string encode_command(std::string_view name, std::string_view arguments_json, std::optional<std::uint64_t> id,
                           bool oob) {
  std::string out;
  out.reserve(32 + name.size() + arguments_json.size());
  out += oob ? "{\"exec-oob\":" : "{\"execute\":";
  json::append_quoted(out, name);
  if (!arguments_json.empty()) {
    out += ",\"arguments\":";
    out += arguments_json;
  }
  if (id) {
    out += ",\"id\":";
    out += std::to_string(*id);
  }
  out += "}\n";
  return out;
}

}  // namespace qmp
