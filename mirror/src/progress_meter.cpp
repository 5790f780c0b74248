#include "mirror/progress_meter.hpp"

#include <chrono>

namespace mirror {

ProgressInfo ProgressMeter::sample(qmp::Clock::time_point t, std::uint64_t offset, std::uint64_t len,
                                   std::uint64_t speed, bool ready) {
  ProgressInfo p{offset, len, speed, 0, std::nullopt, ready};
  if (last_time_ && t > *last_time_ && offset >= last_offset_) {
    const double secs = std::chrono::duration<double>(t - *last_time_).count();
    const double instant = static_cast<double>(offset - last_offset_) / secs;
    // Exponential smoothing: mirror progress comes in bursts (buf-size chunks), so a raw rate jumps around.
    rate_ = rate_ == 0 ? instant : 0.7 * rate_ + 0.3 * instant;
  }
  last_time_ = t;
  last_offset_ = offset;
  p.rate = rate_;
  if (rate_ > 0 && len >= offset)
    p.eta = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(len - offset) / rate_ * 1000.0));
  return p;
}

}  // namespace mirror
