// Fans events out to subscribers. No I/O.
//
// Each subscriber has a filter (event names, and an optional predicate on the message) and a bounded queue.
// Every event is offered to every subscriber in wire order; the dispatcher never waits for a consumer, so a slow
// subscriber can never stall replies or other subscribers. When a queue is full, its overflow policy decides:
//   drop_oldest  (default) the oldest queued event is discarded to make room; dropped() counts it and the next
//                event delivered carries gap() > 0 so the consumer knows it missed something and can resync;
//   drop_newest  the new event is discarded (counted likewise);
//   fail         the queue is cleared and the subscription ends with errc::subscription_overflow.
// Delivered events are not retained anywhere.
#pragma once

#include "qmp/error.hpp"
#include "qmp/message.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace qmp {

enum class OverflowPolicy : std::uint8_t { drop_oldest, drop_newest, fail };

struct EventFilter {
  std::vector<std::string> names;                         // empty: every event
  std::function<bool(const Message&)> predicate;          // empty: no further test
  bool matches(const Message& m) const;
  // Convenience: events whose data member `key` (e.g. "id" or "device") equals `value`.
  static std::function<bool(const Message&)> data_equals(std::string key, std::string value);
};

struct SubscriptionOptions {
  std::size_t capacity = 4096;
  OverflowPolicy policy = OverflowPolicy::drop_oldest;
};

// One subscriber's bounded queue. The asio layer derives from it to add a waiting handler (on_push()).
class EventQueue {
 public:
  EventQueue(EventFilter filter, SubscriptionOptions options) : filter_(std::move(filter)), options_(options) {}
  virtual ~EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // Offers an event; returns true when it was queued (the second takes `m` over when it does).
  bool offer(const Message& m);
  bool offer(Message&& m);
  bool empty() const noexcept { return queue_.empty(); }
  std::size_t size() const noexcept { return queue_.size(); }
  // Removes the oldest queued event. `gap` receives the number of events dropped just before it.
  Message pop(std::uint64_t* gap = nullptr);

  // Ends the subscription; queued events remain readable, then `reason` is reported.
  void close(error_code reason);
  bool closed() const noexcept { return static_cast<bool>(closed_reason_); }
  error_code closed_reason() const noexcept { return closed_reason_; }

  std::uint64_t dropped() const noexcept { return dropped_; }
  std::uint64_t delivered() const noexcept { return delivered_; }
  const EventFilter& filter() const noexcept { return filter_; }
  const SubscriptionOptions& options() const noexcept { return options_; }

 protected:
  // Called after an event was queued or the queue was closed.
  virtual void on_push() {}

 private:
  // Whether `m` is to be queued (filter, closed, overflow policy: the oldest may be dropped to make room).
  bool admit(const Message& m);
  void push(Message m);
  struct Entry {
    Message message;
    std::uint64_t gap;  // events dropped immediately before this one
  };
  EventFilter filter_;
  SubscriptionOptions options_;
  std::deque<Entry> queue_;
  std::uint64_t pending_gap_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t delivered_ = 0;
  error_code closed_reason_;
};

class EventDispatcher {
 public:
  void add(std::shared_ptr<EventQueue> q);
  void remove(const EventQueue* q);
  // Offers `m` to every subscriber; returns how many queued it. The second hands `m` itself to the last
  // subscriber (the others get copies: a message is a shared, read-only document).
  std::size_t dispatch(const Message& m);
  std::size_t dispatch(Message&& m);
  // Whether a subscriber may take an event of this name (its filter lists the name, or lists none; a predicate
  // may still refuse it). An event nobody wants need not be parsed.
  bool wants(std::string_view event_name) const noexcept;
  // Whether a subscriber takes events of every name (then no event can be dropped by its name).
  bool wants_every_name() const noexcept;
  // Closes and forgets every subscriber.
  void close_all(error_code reason);
  std::size_t subscribers() const noexcept { return queues_.size(); }

 private:
  void forget_every_name_queue(const EventQueue* q);
  std::vector<std::shared_ptr<EventQueue>> queues_;
  // Those of queues_ whose filter lists no name (asked about at every line: usually none or one).
  std::vector<const EventQueue*> every_name_;
};

}  // namespace qmp
