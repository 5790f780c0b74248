// What the job state machine asks its runner to do, and the vocabulary both share.
//
// The state machine never performs I/O. Each of its inputs returns a list of actions, in the order the runner
// must carry them out: send a command, tell the caller something, arm or disarm a deadline, or finish.
#pragma once

#include "mirror/job_status.hpp"

#include <qmp/error.hpp>
#include <qmp/message.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mirror {

// Why a command is sent; the runner hands it back with the reply.
enum class Command : std::uint8_t {
  start,             // the job's start command (drive-mirror, blockdev-mirror, block-commit, block-stream, ...)
  complete,          // job-complete / block-job-complete: pivot to the target (jobs with a ready phase)
  finish,            // block-job-cancel after ready: stop mirroring, keep the source (target = a point-in-time copy)
  cancel,            // block-job-cancel before ready
  force_cancel,      // block-job-cancel force:true (after ready, or when paused)
  finalize,          // job-finalize (auto-finalize false)
  dismiss,           // job-dismiss (auto-dismiss false)
  resume,            // job-resume / block-job-resume after an error stop
  query_jobs,        // resync
  query_block_jobs,  // resync, or learning the io-status of a job stopped by an error
};
const char* to_string(Command c) noexcept;

// Deadlines the state machine arms; the runner owns their durations (a timer without a duration is never armed).
enum class Timer : std::uint8_t {
  ready,        // from start until the job reports ready; on expiry the job is aborted
  completion,   // from the completion command (pivot or finish) until the job ends; on expiry it is aborted
  soft_cancel,  // from the soft cancel (finish) until the job ends; on expiry it is cancelled with force
  abort,        // from the cancel command until the job ends; on expiry qmpc gives up waiting
};
const char* to_string(Timer t) noexcept;

enum class Outcome : std::uint8_t {
  pivoted,       // BLOCK_JOB_COMPLETED without error after a complete: the target is now the active disk
  finished,      // BLOCK_JOB_COMPLETED without error after a soft cancel: the source stays, the target is a copy
  completed,     // BLOCK_JOB_COMPLETED without error of a job without a ready phase (commit, stream, backup)
  cancelled,     // BLOCK_JOB_CANCELLED
  failed,        // BLOCK_JOB_COMPLETED with an error (QEMU's message), or the job could not be finalized
  start_failed,  // the start command was refused
  ready,         // end mode wait-ready: the job is ready and left running
  detached,      // end mode detach: the job started and was left running
  unknown,       // the job's end could not be observed (connection lost, events lost, job would not end)
};
const char* to_string(Outcome o) noexcept;

// What qmpc does once the job is ready (pivot, finish, wait_ready: jobs with a ready phase only; see JobKind).
enum class EndMode : std::uint8_t {
  pivot,       // complete: switch the disk to the target
  finish,      // soft cancel: keep the source, leave the target as a consistent copy
  abort,       // cancel with force
  wait_ready,  // report ready and leave the job running
  detach,      // return as soon as the job started
  manual,      // report ready, then wait for requests
  run,         // a job without a ready phase: wait for it to end by itself
};
const char* to_string(EndMode m) noexcept;

enum class Request : std::uint8_t { pivot, finish, abort, wait_ready };
const char* to_string(Request r) noexcept;

// --- actions ---

struct SendCommand {
  Command command;
  std::string name;       // QMP command name
  std::string arguments;  // JSON object text ("" for none)
};

struct StatusChanged {
  JobStatus from;
  JobStatus to;
};

// The job said it is ready (reported once, after the start command succeeded).
struct ReadyReached {
  qmp::Clock::time_point signal_time;  // when the first ready signal was read
  std::string source;                  // "JOB_STATUS_CHANGE", "BLOCK_JOB_READY", "query-block-jobs", "query-jobs"
  double ready_ms = 0;                 // set by the runner: start command sent (or attach) -> signal_time, the
                                       // clock of JobResult::ready_ms
};

// A BLOCK_JOB_ERROR. Reported for each error with action report/stop/enospc; with action ignore only the first
// is reported (QEMU does not rate-limit them), later ones are only counted.
struct JobErrorReported {
  std::string operation;  // "read" or "write"
  std::string action;     // "report", "stop", "enospc", "ignore"
  std::uint64_t count;    // BLOCK_JOB_ERROR events so far
};

// QEMU stopped the job because of an I/O error; qmpc's policy decides what follows (resume or abort).
struct PausedByError {
  std::string operation;
  std::string action;
  std::string io_status;  // "failed", "nospace", or "" when it could not be queried
  std::string message;    // one line, with QEMU's words
  bool will_resume;
};

struct Progress {
  std::uint64_t offset;
  std::uint64_t len;
  std::uint64_t speed;
  bool ready;  // the job's own readiness, never derived from offset == len
};

struct ArmTimer {
  Timer timer;
};
struct DisarmTimer {
  Timer timer;
};

// A caller's request that qmpc refused without sending anything.
struct Refused {
  Request request;
  std::string reason;
};

struct Finished {
  Outcome outcome;
  // Why it did not end as asked (empty on success): QEMU's class and desc when QEMU refused the start command,
  // else qmpc's words in `what` (a failed job's error message from QEMU verbatim, a refused completion, a loss).
  qmp::Diagnostics diagnostics;
  std::optional<Timer> deadline;      // the deadline that fired, if one did
};

using Action = std::variant<SendCommand, StatusChanged, ReadyReached, JobErrorReported, PausedByError, Progress,
                            ArmTimer, DisarmTimer, Refused, Finished>;
using Actions = std::vector<Action>;

// One line describing an action (for logs and test failure messages).
std::string describe(const Action& a);

}  // namespace mirror
