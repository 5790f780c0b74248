#include "mirror/job_kind.hpp"

namespace mirror {

const char* to_string(JobKind k) noexcept {
  switch (k) {
    case JobKind::mirror: return "mirror";
    case JobKind::active_commit: return "active-commit";
    case JobKind::commit: return "commit";
    case JobKind::stream: return "stream";
    case JobKind::backup: return "backup";
  }
  return "mirror";
}

std::optional<JobKind> parse_job_kind(std::string_view text) noexcept {
  for (auto k : {JobKind::mirror, JobKind::active_commit, JobKind::commit, JobKind::stream, JobKind::backup})
    if (text == to_string(k)) return k;
  return std::nullopt;
}

const char* qemu_job_type(JobKind k) noexcept {
  switch (k) {
    case JobKind::mirror: return "mirror";
    case JobKind::active_commit:
    case JobKind::commit: return "commit";
    case JobKind::stream: return "stream";
    case JobKind::backup: return "backup";
  }
  return "mirror";
}

std::optional<std::string> end_mode_refusal(JobKind k, EndMode mode) {
  const std::string kind = to_string(k);
  if (has_ready_phase(k)) {
    if (mode == EndMode::run)
      return "a " + kind + " job has a ready phase and does not end by itself: say how to end it (pivot, finish, "
             "wait-ready, detach)";
    return std::nullopt;
  }
  switch (mode) {
    case EndMode::pivot:
    case EndMode::finish:
    case EndMode::wait_ready:
      return "a " + kind + " job has no ready phase: it ends by itself, so it cannot be asked to " +
             to_string(mode);
    default: return std::nullopt;
  }
}

}  // namespace mirror
