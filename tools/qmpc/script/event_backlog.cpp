#include "script/event_backlog.hpp"

namespace qmpc::script {

void EventBacklog::add(qmp::Message event) {
  if (events_.size() >= capacity_) {
    events_.pop_front();
    ++dropped_;
  }
  events_.push_back(std::move(event));
}

std::optional<qmp::Message> EventBacklog::take(const qmp::EventMatch& match) {
  for (auto it = events_.begin(); it != events_.end(); ++it) {
    if (!match.matches(*it)) continue;
    qmp::Message found = std::move(*it);
    events_.erase(it);
    return found;
  }
  return std::nullopt;
}

}  // namespace qmpc::script
