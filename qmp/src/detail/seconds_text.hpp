// "0.2 s", "10 s": durations in error messages.
#pragma once

#include "qmp/message.hpp"

#include <cstdio>
#include <string>

namespace qmp::detail {

inline std::string seconds_text(Clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

}  // namespace qmp::detail
