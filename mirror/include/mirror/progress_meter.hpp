// Turns successive (time, offset, len) samples into a rate and an ETA. No I/O.
#pragma once

#include "mirror/job_options.hpp"

#include <qmp/message.hpp>

#include <optional>

namespace mirror {

class ProgressMeter {
 public:
  // A new sample; returns the progress with rate and ETA measured since the previous sample (smoothed).
  ProgressInfo sample(qmp::Clock::time_point t, std::uint64_t offset, std::uint64_t len, std::uint64_t speed,
                      bool ready);

 private:
  std::optional<qmp::Clock::time_point> last_time_;
  std::uint64_t last_offset_ = 0;
  double rate_ = 0;
};

}  // namespace mirror
