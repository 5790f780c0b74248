// The events of a `qmpc run` session not yet taken by a wait-event step, in wire order. No I/O.
//
// Every event read since the session started is added; a wait-event step takes the first one that matches it
// (so an event that came before the reply of the command that caused it, or before the wait began, is still
// found), and a taken event is gone. Bounded: when full, the oldest event is dropped and counted.
#pragma once

#include "qmp/event_match.hpp"
#include "qmp/message.hpp"

#include <cstdint>
#include <deque>
#include <optional>

namespace qmpc::script {

class EventBacklog {
 public:
  explicit EventBacklog(std::size_t capacity = 4096) : capacity_(capacity == 0 ? 1 : capacity) {}

  void add(qmp::Message event);
  // The first event in wire order that `match` takes, removed; nullopt when none.
  std::optional<qmp::Message> take(const qmp::EventMatch& match);

  std::size_t size() const noexcept { return events_.size(); }
  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  std::size_t capacity_;
  std::deque<qmp::Message> events_;
  std::uint64_t dropped_ = 0;
};

}  // namespace qmpc::script
