// One message from (or to) a QMP server, with its place in the session's wire order.
#pragma once

#include "qmp/json.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace qmp {

using Clock = std::chrono::steady_clock;

enum class MessageKind : std::uint8_t {
  greeting,     // {"QMP": {...}}
  reply,        // {"return": ..., "id": ...}
  error_reply,  // {"error": {"class": ..., "desc": ...}, "id": ...}
  event,        // {"event": ..., "data": ..., "timestamp": ...}
  command,      // {"execute": ...} or {"exec-oob": ...} (outgoing, or incoming in a fake server)
};

const char* to_string(MessageKind k) noexcept;

struct DecodeError;  // qmp/codec.hpp

// An immutable parsed message. Cheap to copy (shared, read-only document), so one event can sit in many
// subscribers' queues without being copied.
class Message {
 public:
  Message() = default;
  // `doc` is the message's root value (a parsed document, or a part of one that it keeps alive).
  Message(std::uint64_t seq, Clock::time_point time, MessageKind kind, std::shared_ptr<const json::Value> doc);

  // Position in the session's wire order. One counter covers both directions: every message sent or received
  // takes the next number, so "event 7 arrived before reply 9" is a comparison of numbers.
  std::uint64_t seq() const noexcept { return seq_; }
  Clock::time_point time() const noexcept { return time_; }
  MessageKind kind() const noexcept { return kind_; }
  bool valid() const noexcept { return doc_ != nullptr; }
  bool is_event() const noexcept { return kind_ == MessageKind::event; }

  const json::Value& json() const noexcept { return *doc_; }
  const std::shared_ptr<const json::Value>& document() const noexcept { return doc_; }

  // Event name ("" when not an event, or when its "event" member is no string). Read once, when the message is
  // made.
  std::string_view event_name() const noexcept { return doc_ ? event_name_ : std::string_view{}; }
  // Event "data" member, reply "return" member, or nullptr.
  const json::Value* data() const noexcept;
  const json::Value* result() const noexcept;
  // The "id" member as sent by qmpc (an unsigned integer), if it is one.
  std::optional<std::uint64_t> numeric_id() const noexcept;
  const json::Value* id() const noexcept;
  // QEMU's event timestamp in microseconds since the epoch (0 when absent, or beyond what 64 bits hold).
  std::int64_t timestamp_us() const noexcept;
  // For error replies: class and desc.
  std::string_view error_class() const noexcept;
  std::string_view error_desc() const noexcept;
  // For commands: the command name ("execute" or "exec-oob").
  std::string_view command_name() const noexcept;

  // Compact JSON text.
  std::string text() const;

 private:
  // decode_message has read the name while classifying the message: it is not looked up again.
  friend Message decode_message(std::string_view, std::uint64_t, Clock::time_point, DecodeError&, bool);
  Message(std::uint64_t seq, Clock::time_point time, MessageKind kind, std::shared_ptr<const json::Value> doc,
          std::string_view event_name)
      : seq_(seq), time_(time), kind_(kind), doc_(std::move(doc)), event_name_(event_name) {}

  std::uint64_t seq_ = 0;
  Clock::time_point time_{};
  MessageKind kind_ = MessageKind::reply;
  std::shared_ptr<const json::Value> doc_;
  std::string_view event_name_;  // into *doc_
};

}  // namespace qmp
