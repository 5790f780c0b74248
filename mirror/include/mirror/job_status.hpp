// The status of a QEMU job as QEMU names it (JOB_STATUS_CHANGE, query-jobs, query-block-jobs).
//
// QEMU 7.2's transitions (job.c):
//   created  -> running | aborting | null
//   running  -> paused | ready | waiting | aborting
//   paused   -> running
//   ready    -> standby | waiting | aborting
//   standby  -> ready
//   waiting  -> pending | aborting
//   pending  -> aborting | concluded
//   aborting -> aborting | concluded
//   concluded-> null
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mirror {

enum class JobStatus : std::uint8_t {
  unknown,  // nothing heard yet
  created,
  running,
  paused,
  ready,
  standby,
  waiting,
  pending,
  aborting,
  concluded,
  null,
};

const char* to_string(JobStatus s) noexcept;
std::optional<JobStatus> parse_job_status(std::string_view text) noexcept;

// True in the two statuses in which QEMU accepts `complete` (and reports ready:true).
constexpr bool is_ready_status(JobStatus s) noexcept { return s == JobStatus::ready || s == JobStatus::standby; }

// True when QEMU can take a job from `from` to `to` in zero or more transitions (from `unknown`: always). A status
// that cannot be reached from the one last seen is older than it: QEMU reports nothing twice in reverse.
bool can_reach(JobStatus from, JobStatus to) noexcept;

}  // namespace mirror
