#include "qmp/codec.hpp"

#include "detail/json_parse.hpp"
#include "detail/message_blocks.hpp"

#include <cstddef>
#include <cstring>
#include <memory>

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

constexpr std::size_t kAlign = alignof(std::max_align_t);

constexpr std::size_t round_up(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// An allocator for std::allocate_shared that puts `extra` bytes after the shared block (control block and
// object) in the same heap block (a recycled one: detail/message_blocks.hpp), and stores where they begin in
// *where before the object is constructed.
template <typename T>
struct TrailingBytes {
  using value_type = T;
  TrailingBytes(std::size_t e, char** w) noexcept : extra(e), where(w) {}
  template <typename U>
  TrailingBytes(const TrailingBytes<U>& o) noexcept : extra(o.extra), where(o.where) {}
  T* allocate(std::size_t n) {
    const std::size_t head = round_up(n * sizeof(T));
    char* p = static_cast<char*>(detail::allocate_message_block(head + extra));
    *where = p + head;
    return reinterpret_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    detail::free_message_block(static_cast<void*>(p), round_up(n * sizeof(T)) + extra);
  }
  template <typename U>
  bool operator==(const TrailingBytes<U>& o) const noexcept {
    return extra == o.extra;
  }
  std::size_t extra;
  char** where;
};

// A message's document, in one heap allocation with its text (parsed in place, so strings are not copied) and
// the first chunk of its DOM pool; RapidJSON's default pool would take 64 KiB per document. The pool starts at
// the next aligned offset after the text: RapidJSON places values at the start of its chunks. The parse stack
// is the thread's own buffer (detail/parse_stack_allocator.hpp), through one shared stateless allocator object:
// given none, each document would allocate its own.
struct ParsedDocument {
  static std::shared_ptr<ParsedDocument> make(std::string_view line) {
    char* trailing = nullptr;
    return std::allocate_shared<ParsedDocument>(
        TrailingBytes<ParsedDocument>(pool_offset(line) + pool_size(line), &trailing), line, &trailing);
  }
  // `*trailing` is set by the allocator before construction: the bytes after this object.
  ParsedDocument(std::string_view line, char* const* trailing)
      : storage(*trailing),
        pool(storage + pool_offset(line), pool_size(line), kOverflowChunk),
        doc(&pool, kParseStack, &stack_allocator) {
    std::memcpy(storage, line.data(), line.size());
    storage[line.size()] = '\0';
  }
  static std::size_t pool_offset(std::string_view line) { return round_up(line.size() + 1); }
  static std::size_t pool_size(std::string_view line) { return line.size() + 256; }
  static constexpr std::size_t kOverflowChunk = 4096;
  static constexpr std::size_t kParseStack = json::detail::ParseStackAllocator::kBufferSize;
  static inline json::detail::ParseStackAllocator stack_allocator;

  char* storage;
  rapidjson::MemoryPoolAllocator<> pool;
  json::detail::MessageDocument doc;
};

// The members that make a JSON object a QMP message, found in one pass over its members. The first "event"
// member is the one that names the event (as a lookup would find it).
struct Shape {
  const json::Value* event = nullptr;
  bool reply = false, error = false, greeting = false, command = false;

  explicit Shape(const json::Value& object) {
    for (const auto& member : object.GetObject()) {
      const std::string_view key(member.name.GetString(), member.name.GetStringLength());
      switch (key.size()) {
        case 3: greeting |= key == "QMP"; break;
        case 5:
          if (key == "event") {
            if (!event) event = &member.value;
          } else {
            error |= key == "error";
          }
          break;
        case 6: reply |= key == "return"; break;
        case 7: command |= key == "execute"; break;
        case 8: command |= key == "exec-oob"; break;
        default: break;
      }
    }
  }
};

}  // namespace

Message decode_message(std::string_view line, std::uint64_t seq, Clock::time_point time, DecodeError& error,
                       bool accept_commands) {
  auto holder = ParsedDocument::make(line);
  json::detail::MessageDocument* doc = &holder->doc;
  if (const auto failure = json::detail::parse_insitu(*doc, holder->storage, line.size())) {
    const std::size_t off = failure->offset;
    error = DecodeError{DecodeError::Reason::malformed_json, off,
                        failure->what + " at offset " + std::to_string(off) + ": '" + excerpt(line, off) + "'"};
    return {};
  }
  if (!doc->IsObject()) {
    error = DecodeError{DecodeError::Reason::not_an_object, 0, "expected a JSON object, got '" + excerpt(line, 0) + "'"};
    return {};
  }
  const Shape shape(*doc);
  // One member decides, whatever the others: "event" before "return", "error" and "QMP".
  MessageKind kind;
  std::string_view name;
  if (shape.event) {
    kind = MessageKind::event;
    if (shape.event->IsString()) name = std::string_view(shape.event->GetString(), shape.event->GetStringLength());
  } else if (shape.reply) {
    kind = MessageKind::reply;
  } else if (shape.error) {
    kind = MessageKind::error_reply;
  } else if (shape.greeting) {
    kind = MessageKind::greeting;
  } else if (accept_commands && shape.command) {
    kind = MessageKind::command;
  } else {
    error = DecodeError{DecodeError::Reason::unknown_shape, 0,
                        "a JSON object that is no QMP message: '" + excerpt(line, 0) + "'"};
    return {};
  }
  return Message(seq, time, kind, std::shared_ptr<const json::Value>(std::move(holder), doc), name);
}

Decoded decode_line(std::string_view line, std::uint64_t seq, Clock::time_point time, bool accept_commands) {
  Decoded out;
  DecodeError error{};
  Message m = decode_message(line, seq, time, error, accept_commands);
  if (m.valid()) {
    out.message.emplace(std::move(m));
  } else {
    out.error.emplace(std::move(error));
  }
  return out;
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
