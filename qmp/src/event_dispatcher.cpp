#include "qmp/event_dispatcher.hpp"

#include <algorithm>

namespace qmp {

bool EventFilter::matches(const Message& m) const {
  if (!names.empty()) {
    const std::string_view name = m.event_name();
    if (std::find(names.begin(), names.end(), name) == names.end()) return false;
  }
  return !predicate || predicate(m);
}

std::function<bool(const Message&)> EventFilter::data_equals(std::string key, std::string value) {
  return [key = std::move(key), value = std::move(value)](const Message& m) {
    const json::Value* d = m.data();
    return d && json::get_string(*d, key) == std::string_view(value);
  };
}

bool EventQueue::offer(const Message& m) {
  if (!admit(m)) return false;
  push(m);
  return true;
}

bool EventQueue::offer(Message&& m) {
  if (!admit(m)) return false;
  push(std::move(m));
  return true;
}

bool EventQueue::admit(const Message& m) {
  if (closed() || !filter_.matches(m)) return false;
  if (queue_.size() >= options_.capacity) {
    switch (options_.policy) {
      case OverflowPolicy::drop_oldest: {
        // The gap of the dropped entry carries over to its successor.
        const std::uint64_t carried = queue_.front().gap + 1;
        queue_.pop_front();
        if (queue_.empty()) {
          pending_gap_ += carried;
        } else {
          queue_.front().gap += carried;
        }
        ++dropped_;
        break;
      }
      case OverflowPolicy::drop_newest:
        ++dropped_;
        ++pending_gap_;
        return false;
      case OverflowPolicy::fail:
        ++dropped_;
        queue_.clear();
        close(make_error_code(errc::subscription_overflow));
        return false;
    }
  }
  return true;
}

void EventQueue::push(Message m) {
  queue_.push_back(Entry{std::move(m), pending_gap_});
  pending_gap_ = 0;
  on_push();
}

Message EventQueue::pop(std::uint64_t* gap) {
  Entry e = std::move(queue_.front());
  queue_.pop_front();
  if (gap) *gap = e.gap;
  ++delivered_;
  return std::move(e.message);
}

void EventQueue::close(error_code reason) {
  if (closed()) return;
  closed_reason_ = reason ? reason : make_error_code(errc::subscription_closed);
  on_push();
}

void EventDispatcher::add(std::shared_ptr<EventQueue> q) {
  if (q->filter().names.empty()) every_name_.push_back(q.get());
  queues_.push_back(std::move(q));
}

void EventDispatcher::forget_every_name_queue(const EventQueue* q) { std::erase(every_name_, q); }

void EventDispatcher::remove(const EventQueue* q) {
  forget_every_name_queue(q);
  std::erase_if(queues_, [q](const auto& p) { return p.get() == q; });
}

std::size_t EventDispatcher::dispatch(const Message& m) { return dispatch(Message(m)); }

std::size_t EventDispatcher::dispatch(Message&& m) {
  std::size_t n = 0;
  bool any_closed = false;
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    EventQueue& q = *queues_[i];
    if (i + 1 < queues_.size() ? q.offer(static_cast<const Message&>(m)) : q.offer(std::move(m))) ++n;
    any_closed |= q.closed();
  }
  // A subscription with policy fail may have ended on this event.
  if (any_closed) {
    std::erase_if(queues_, [this](const auto& p) {
      if (!p->closed()) return false;
      forget_every_name_queue(p.get());
      return true;
    });
  }
  return n;
}

bool EventDispatcher::wants(std::string_view event_name) const noexcept {
  for (const auto& q : queues_) {
    if (q->closed()) continue;
    const auto& names = q->filter().names;
    if (names.empty() || std::find(names.begin(), names.end(), event_name) != names.end()) return true;
  }
  return false;
}

bool EventDispatcher::wants_every_name() const noexcept {
  for (const EventQueue* q : every_name_)
    if (!q->closed()) return true;
  return false;
}

void EventDispatcher::close_all(error_code reason) {
  auto qs = std::move(queues_);
  queues_.clear();
  every_name_.clear();
  for (auto& q : qs) q->close(reason);
}

}  // namespace qmp
