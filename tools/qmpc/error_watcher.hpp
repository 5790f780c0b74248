// A traffic observer that remembers QEMU's last error reply (class and desc), and passes every message on to
// another observer (the transcript). Lets `qmpc mirror` print "qmpc: CLASS: DESC" when QEMU refuses to start
// the job.
#pragma once

#include "qmp/json.hpp"
#include "qmp/traffic_observer.hpp"

#include <memory>
#include <string>

namespace qmpc {

class ErrorWatcher final : public qmp::TrafficObserver {
 public:
  explicit ErrorWatcher(std::shared_ptr<qmp::TrafficObserver> next) : next_(std::move(next)) {}

  void on_message(qmp::Direction direction, std::uint64_t seq, qmp::Clock::time_point time,
                  std::string_view json) override {
    if (next_) next_->on_message(direction, seq, time, json);
    if (direction != qmp::Direction::from_qemu || json.find("\"error\"") == std::string_view::npos) return;
    auto doc = qmp::json::parse_object(json);
    if (!doc) return;
    const auto* error = qmp::json::find(*doc, "error");
    if (!error) return;
    last_class_ = std::string(qmp::json::get_string(*error, "class").value_or(""));
    last_desc_ = std::string(qmp::json::get_string(*error, "desc").value_or(""));
  }

  const std::string& last_class() const noexcept { return last_class_; }
  const std::string& last_desc() const noexcept { return last_desc_; }

 private:
  std::shared_ptr<qmp::TrafficObserver> next_;
  std::string last_class_, last_desc_;
};

}  // namespace qmpc
