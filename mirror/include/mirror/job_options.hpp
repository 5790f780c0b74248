// What a block job run is asked to do, what it reports while running, and what it returns.
//
// A mirror is described by the fields below `device`; any other kind (commit, stream, backup) by its start
// command (`start`, made with build_commit_command & co, mirror/start_command.hpp). `attach` takes over a job that
// runs already. The rest (end mode, error policy, deadlines, callbacks) is common to every kind.
#pragma once

#include "mirror/job_actions.hpp"
#include "mirror/job_kind.hpp"
#include "mirror/job_status.hpp"

#include <qmp/message.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace mirror {

// drive-mirror: QEMU opens (or creates) the target image itself.
struct DriveTarget {
  std::string path;
  std::string format;  // e.g. "qcow2", "raw"; empty: QEMU's default (the source's format)
  enum class Mode : std::uint8_t { absolute_paths, existing } mode = Mode::absolute_paths;
};

// blockdev-mirror: the target is a node already added with blockdev-add.
struct BlockdevTarget {
  std::string node;
};

enum class SyncMode : std::uint8_t { full, top, none };
const char* to_string(SyncMode s) noexcept;

struct ProgressInfo {
  std::uint64_t offset = 0;
  std::uint64_t len = 0;
  std::uint64_t speed = 0;                      // the job's speed limit (0: none)
  double rate = 0;                              // bytes per second, measured between polls
  std::optional<std::chrono::milliseconds> eta;  // until offset reaches len at the measured rate
  bool ready = false;                           // the job's own readiness (never offset == len)
};

struct JobOptions {
  std::string device;  // source: a device name (drive-mirror) or node name
  std::variant<DriveTarget, BlockdevTarget> target;
  std::string job_id = "qmpc-mirror";
  // Another kind of job than a mirror: its start command (the mirror fields are then unused; its kind wins).
  std::optional<StartCommand> start;
  // Take over the running job `job_id` instead of starting one (its status from query-jobs/query-block-jobs).
  bool attach = false;
  JobKind kind = JobKind::mirror;  // the kind of the job attached to (unused with `start`)
  SyncMode sync = SyncMode::full;
  std::optional<std::uint64_t> speed;        // bytes per second
  std::optional<std::uint64_t> granularity;  // power of 2, 512 B .. 64 MiB
  std::optional<std::uint64_t> buf_size;
  std::optional<std::string> on_source_error;  // "report", "ignore", "enospc", "stop", "auto"
  std::optional<std::string> on_target_error;
  std::optional<std::string> copy_mode;        // "background", "write-blocking"
  std::optional<bool> unmap;                   // drive-mirror only
  bool auto_finalize = true;
  bool auto_dismiss = true;

  EndMode end_mode = EndMode::pivot;
  unsigned max_resumes = 0;  // resumes of a job stopped by an I/O error before it is aborted

  // Deadlines. Unset: none (the abort and soft-cancel deadlines always apply, so a run always ends).
  std::optional<qmp::Clock::duration> ready_timeout;
  std::optional<qmp::Clock::duration> completion_timeout;
  qmp::Clock::duration soft_cancel_timeout = std::chrono::seconds(60);  // a finish (soft cancel) that does not end is forced
  // An abort (asked for, or a deadline) that does not end the job within this: give up waiting. The run always
  // completes within it after the first abort, even when QEMU never answers the start command or the cancel.
  qmp::Clock::duration abort_timeout = std::chrono::seconds(30);

  // Whether QEMU offers job-complete & co. Unset: asked once with query-commands.
  std::optional<bool> job_commands;

  // Progress: query-block-jobs every poll_interval (zero: never).
  qmp::Clock::duration poll_interval = std::chrono::seconds(0);
  std::function<void(const ProgressInfo&)> on_progress;
  std::function<void(JobStatus from, JobStatus to)> on_status;
  std::function<void(const ReadyReached&)> on_ready;
  std::function<void(const JobErrorReported&)> on_job_error;
  std::function<void(const PausedByError&)> on_paused_by_error;

  // Events waiting for the runner. When it overflows the oldest are dropped and the runner resyncs with
  // query-jobs / query-block-jobs.
  std::size_t event_queue_capacity = 65536;

  std::shared_ptr<spdlog::logger> logger;  // null: no logging
};

struct JobResult {
  Outcome outcome = Outcome::unknown;
  std::string job_id;
  std::uint64_t len = 0;
  std::uint64_t offset = 0;
  std::optional<double> ready_ms;        // start command sent -> first ready signal read
  std::optional<double> done_ms;         // start command sent -> the end
  std::optional<std::int64_t> pivot_us;  // first ready signal read -> completion command written
  // Why it did not end as asked (empty when it did): QEMU's class and desc when QEMU refused a command the run
  // depended on (qmp_class, qmp_desc), qmpc's words otherwise (what); text() is the one to show.
  qmp::Diagnostics diagnostics;
  std::optional<Timer> deadline;         // the deadline that fired
  JobStatus status = JobStatus::unknown;  // the job's last status seen (unknown: QEMU never said)
  bool abort_sent = false;               // an abort (cancel) was under way
  std::uint64_t error_events = 0;        // BLOCK_JOB_ERROR seen
  unsigned resumes = 0;
  bool job_commands = true;              // job-* (true) or block-job-* commands were used
};

}  // namespace mirror
