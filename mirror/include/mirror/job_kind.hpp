// The kinds of block job qmpc runs, and what each one's life looks like. No I/O.
//
//   kind           start command                    ready phase   ends by                          success
//   mirror         drive-mirror / blockdev-mirror   yes           complete (pivot), soft cancel    pivoted / finished
//   active-commit  block-commit (top = active)      yes           complete (pivot), soft cancel    pivoted / finished
//   commit         block-commit (top below active)  no            itself                           completed
//   stream         block-stream                     no            itself                           completed
//   backup         blockdev-backup / drive-backup   no            itself                           completed
//
// A job with a ready phase copies until source and target converge, reports ready and keeps them in sync until it
// is told how to end; complete is accepted only once it is ready. A job without one ends on its own once its work
// is done (JOB_STATUS_CHANGE waiting, pending, BLOCK_JOB_COMPLETED, concluded, null); it can only be cancelled.
// An active commit reports QEMU type "commit" like any commit: only its top layer tells them apart (for a job
// already running, QEMU's block graph does: mirror/commit_kind.hpp).
#pragma once

#include "mirror/job_actions.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mirror {

enum class JobKind : std::uint8_t { mirror, active_commit, commit, stream, backup };

const char* to_string(JobKind k) noexcept;  // "mirror", "active-commit", "commit", "stream", "backup"
std::optional<JobKind> parse_job_kind(std::string_view text) noexcept;

// The job's type as QEMU reports it (query-jobs "type", BLOCK_JOB_* "type").
const char* qemu_job_type(JobKind k) noexcept;

// True when the job reports ready and waits to be told how to end (mirror, active commit).
constexpr bool has_ready_phase(JobKind k) noexcept { return k == JobKind::mirror || k == JobKind::active_commit; }

// Why `mode` cannot end a job of kind `k` (e.g. a pivot of a stream), or nullopt when it can.
std::optional<std::string> end_mode_refusal(JobKind k, EndMode mode);

// A job's start command: its QMP name and arguments (JSON object text), and the kind of job it starts.
struct StartCommand {
  std::string name;       // e.g. "blockdev-mirror", "block-commit"
  std::string arguments;  // JSON object text, including "job-id"
  JobKind kind = JobKind::mirror;
};

}  // namespace mirror
