#include "qmp/message.hpp"

namespace qmp {

const char* to_string(MessageKind k) noexcept {
  switch (k) {
    case MessageKind::greeting: return "greeting";
    case MessageKind::reply: return "reply";
    case MessageKind::error_reply: return "error";
    case MessageKind::event: return "event";
    case MessageKind::command: return "command";
  }
  return "unknown";
}

Message::Message(std::uint64_t seq, Clock::time_point time, MessageKind kind, std::shared_ptr<const json::Value> doc)
    : seq_(seq), time_(time), kind_(kind), doc_(std::move(doc)) {
  if (doc_ && kind_ == MessageKind::event) event_name_ = json::get_string(*doc_, "event").value_or(std::string_view{});
}

const json::Value* Message::data() const noexcept { return doc_ ? json::find(*doc_, "data") : nullptr; }

const json::Value* Message::result() const noexcept { return doc_ ? json::find(*doc_, "return") : nullptr; }

const json::Value* Message::id() const noexcept { return doc_ ? json::find(*doc_, "id") : nullptr; }

std::optional<std::uint64_t> Message::numeric_id() const noexcept {
  const json::Value* v = id();
  if (!v || !v->IsUint64()) return std::nullopt;
  return v->GetUint64();
}

std::int64_t Message::timestamp_us() const noexcept {
  if (!doc_) return 0;
  const json::Value* ts = json::find(*doc_, "timestamp");
  if (!ts) return 0;
  const auto s = json::get_int(*ts, "seconds");
  const auto us = json::get_int(*ts, "microseconds");
  std::int64_t t = 0;
  // Numbers a QEMU never sends (seconds past year 292,000) must not overflow: they count as absent.
  if (!s || !us || __builtin_mul_overflow(*s, 1'000'000, &t) || __builtin_add_overflow(t, *us, &t)) return 0;
  return t;
}

std::string_view Message::error_class() const noexcept {
  if (!doc_) return {};
  const json::Value* e = json::find(*doc_, "error");
  return e ? json::get_string(*e, "class").value_or(std::string_view{}) : std::string_view{};
}

std::string_view Message::error_desc() const noexcept {
  if (!doc_) return {};
  const json::Value* e = json::find(*doc_, "error");
  return e ? json::get_string(*e, "desc").value_or(std::string_view{}) : std::string_view{};
}

std::string_view Message::command_name() const noexcept {
  if (!doc_) return {};
  if (auto n = json::get_string(*doc_, "execute")) return *n;
  return json::get_string(*doc_, "exec-oob").value_or(std::string_view{});
}

std::string Message::text() const { return doc_ ? json::to_string(*doc_) : std::string{}; }

}  // namespace qmp
