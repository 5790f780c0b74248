// A hook that sees every message of a session in wire order (used for transcripts and trace logging).
#pragma once

#include "qmp/message.hpp"

#include <cstdint>
#include <string_view>

namespace qmp {

enum class Direction : std::uint8_t { to_qemu, from_qemu };

class TrafficObserver {
 public:
  virtual ~TrafficObserver() = default;
  // `json` is the compact or verbatim JSON text of the message without its line terminator, with secrets
  // already redacted. Called on the session's executor, in sequence order.
  virtual void on_message(Direction direction, std::uint64_t seq, Clock::time_point time, std::string_view json) = 0;
};

}  // namespace qmp
