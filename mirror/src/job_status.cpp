#include "mirror/job_status.hpp"

#include <array>
#include <utility>

namespace mirror {

namespace {
constexpr std::array<std::pair<JobStatus, std::string_view>, 11> kNames{{
    {JobStatus::unknown, "unknown"},
    {JobStatus::created, "created"},
    {JobStatus::running, "running"},
    {JobStatus::paused, "paused"},
    {JobStatus::ready, "ready"},
    {JobStatus::standby, "standby"},
    {JobStatus::waiting, "waiting"},
    {JobStatus::pending, "pending"},
    {JobStatus::aborting, "aborting"},
    {JobStatus::concluded, "concluded"},
    {JobStatus::null, "null"},
}};
// QEMU 7.2's transitions (job.c, JobSTT), as a bit set of successors per status.
constexpr unsigned bit(JobStatus s) noexcept { return 1u << static_cast<unsigned>(s); }
constexpr std::array<unsigned, 11> kNext{{
    0,                                                                                   // unknown
    bit(JobStatus::running) | bit(JobStatus::aborting) | bit(JobStatus::null),           // created
    bit(JobStatus::paused) | bit(JobStatus::ready) | bit(JobStatus::waiting) | bit(JobStatus::aborting),  // running
    bit(JobStatus::running),                                                             // paused
    bit(JobStatus::standby) | bit(JobStatus::waiting) | bit(JobStatus::aborting),        // ready
    bit(JobStatus::ready),                                                               // standby
    bit(JobStatus::pending) | bit(JobStatus::aborting),                                  // waiting
    bit(JobStatus::aborting) | bit(JobStatus::concluded),                                // pending
    bit(JobStatus::aborting) | bit(JobStatus::concluded),                                // aborting
    bit(JobStatus::null),                                                                // concluded
    0,                                                                                   // null
}};
}  // namespace

bool can_reach(JobStatus from, JobStatus to) noexcept {
  if (from == JobStatus::unknown || from == to) return true;
  unsigned seen = bit(from), frontier = bit(from);
  while (frontier) {
    unsigned next = 0;
    for (std::size_t i = 0; i < kNext.size(); ++i)
      if (frontier & (1u << i)) next |= kNext[i];
    frontier = next & ~seen;
    seen |= next;
  }
  return (seen & bit(to)) != 0;
}

const char* to_string(JobStatus s) noexcept {
  for (const auto& [status, name] : kNames)
    if (status == s) return name.data();
  return "unknown";
}

std::optional<JobStatus> parse_job_status(std::string_view text) noexcept {
  for (const auto& [status, name] : kNames)
    if (name == text && status != JobStatus::unknown) return status;
  return std::nullopt;
}

}  // namespace mirror
