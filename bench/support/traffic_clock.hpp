// A TrafficObserver that keeps the client-side time of every message a session sends or receives, to measure
// reaction times from the wire's point of view.
#pragma once

#include "qmp/traffic_observer.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc_bench {

class TrafficClock : public qmp::TrafficObserver {
 public:
  struct Entry {
    qmp::Direction direction;
    std::uint64_t seq;
    qmp::Clock::time_point time;
    std::string json;
  };

  void on_message(qmp::Direction direction, std::uint64_t seq, qmp::Clock::time_point time,
                  std::string_view json) override {
    entries_.push_back(Entry{direction, seq, time, std::string(json)});
  }

  // The first message in `direction` after sequence number `after` whose text contains every one of `needles`.
  std::optional<Entry> find(qmp::Direction direction, std::uint64_t after,
                            std::initializer_list<std::string_view> needles) const {
    for (const auto& e : entries_) {
      if (e.direction != direction || e.seq <= after) continue;
      bool all = true;
      for (auto n : needles) all = all && e.json.find(n) != std::string::npos;
      if (all) return e;
    }
    return std::nullopt;
  }
  void clear() { entries_.clear(); }
  const std::vector<Entry>& entries() const noexcept { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace qmpc_bench
