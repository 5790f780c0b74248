// One drive-mirror driven through a Session to its pivot: start, wait for the job's own ready signal
// (JOB_STATUS_CHANGE ready), block-job-complete, wait for the job to go away, and check with query-block that
// the disk's active image is now the target.
#pragma once

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
// Throws std::runtime_error when the job fails, is not ready within `timeout`, or the pivot is not visible.
boost::asio::awaitable<void> mirror_and_pivot(qmp::Session& s, const MirrorSpec& spec, qmp::Clock::duration timeout);

}  // namespace qmpc_bench
