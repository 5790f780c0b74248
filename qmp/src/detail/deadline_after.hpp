// A deadline `timeout` from now that saturates: qmp::no_timeout gives one that never comes.
#pragma once

#include "qmp/message.hpp"

namespace qmp::detail {

inline Clock::time_point deadline_after(Clock::duration timeout) {
  const auto now = Clock::now();
  return timeout >= Clock::time_point::max() - now ? Clock::time_point::max() : now + timeout;
}

}  // namespace qmp::detail
