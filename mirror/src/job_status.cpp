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
}  // namespace

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
