// How a block-job run (`qmpc mirror`, `commit`, `stream`, `backup`) ended, and its exit code, from what the job
// returned and what qmpc itself did (a signal, its --timeout). Pure: block_job_run.cpp words each ending.
#pragma once

#include "cli/exit_code.hpp"

#include "mirror/error.hpp"
#include "mirror/job_actions.hpp"

namespace qmpc::cli {

enum class MirrorEnding {
  as_asked,     // pivoted, finished, completed (a job without a ready phase), ready or detached, without error
  abandoned,    // a second signal while the job was being aborted: left in QEMU as it was
  interrupted,  // a signal aborted the job
  timed_out,    // --timeout passed (or a deadline of the job's own fired): the job was aborted
  refused,      // QEMU refused the start command: its error reply says why
  job_error,    // the job failed, was cancelled, ended in another way, or its end is unknown (mirror::errc)
  qmp_error,    // QEMU could not be asked at all (a qmp error before or instead of the job)
};

struct MirrorRunEnd {
  mirror::error_code ec;                              // what MirrorJob::async_run completed with
  mirror::Outcome outcome = mirror::Outcome::unknown;  // and its result's outcome
  bool interrupted = false;                           // SIGINT or SIGTERM aborted the job
  bool timed_out = false;                             // qmpc's --timeout aborted the job
  bool qemu_error_is_the_cause = false;               // the job's error is the error reply QEMU sent (class known)
};

struct MirrorVerdict {
  MirrorEnding ending = MirrorEnding::as_asked;
  ExitCode code = ExitCode::ok;
};

// The first that applies: as asked (0), abandoned (130), interrupted (130), timed out (4), refused by QEMU (1),
// a mirror error (outcome unknown 3, invalid options 2, otherwise 1), any other error (by exit_code_for).
MirrorVerdict mirror_verdict(const MirrorRunEnd& end) noexcept;

}  // namespace qmpc::cli
