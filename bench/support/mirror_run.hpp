// One drive-mirror to its pivot through qmpc's mirror runner (mirror::MirrorJob: the job state machine driven on a
// Session), then a check with query-block that the disk's active image is now the target.
#pragma once

#include "mirror/mirror_options.hpp"
#include "qmp/session.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace qmpc_bench {

struct MirrorSpec {
  std::string device = "disk0";
  std::string job_id = "job0";
  std::string target;
  std::string format = "qcow2";
};

// `spec` must outlive the operation (GCC 12 mishandles aggregates passed by value to coroutines).
// Throws std::runtime_error when the job does not end pivoted within `timeout`, or the pivot is not visible.
// Returns the runner's result (its pivot_us is the runner's own ready -> complete measurement).
boost::asio::awaitable<mirror::MirrorResult> mirror_and_pivot(qmp::Session& s, const MirrorSpec& spec,
                                                              qmp::Clock::duration timeout);

}  // namespace qmpc_bench
