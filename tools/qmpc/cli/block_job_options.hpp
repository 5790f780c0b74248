// What `qmpc commit`, `stream`, `backup` and `job` asked for, after parsing. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace qmpc::cli {

// How a job command ends the job: the end modes of `qmpc mirror` plus `run` (a job that ends by itself).
enum class JobEnd { automatic, wait, pivot, finish, detach };

// What every job command shares: the job's id, its error policy, how it is followed and reported.
struct JobFollowOptions {
  std::string job_id;                   // "" : qmpc picks one
  std::string attach;                   // --attach ID: take over the running job ID instead of starting one
  std::optional<std::uint64_t> bandwidth;
  std::string on_error;                 // "" or report|stop|enospc|ignore|auto
  bool manual_finalize = false;         // auto-finalize and auto-dismiss off; qmpc finalizes and dismisses
  std::uint32_t retry_errors = 0;       // resume a job paused by an error up to N times
  JobEnd end = JobEnd::automatic;       // automatic: wait-ready for a job with a ready phase, else to its end
  std::optional<double> job_timeout_s;  // deadline for the whole run (abort on expiry)
  double abort_grace_s = 5;
  std::optional<bool> progress;         // nullopt: a progress bar when stderr is a terminal (and not --json)
  bool json = false;
};

struct CommitOptions : JobFollowOptions {
  std::string device;
  std::string top;    // "" : the active layer (an active commit); a node name, or a file name (with a '/')
  std::string base;   // "" : the bottom of the chain
  bool active = false;
  std::string backing_file;
};

struct StreamOptions : JobFollowOptions {
  std::string device;
  std::string base;
  std::string backing_file;
};

struct BackupOptions : JobFollowOptions {
  std::string device;
  std::string target;  // a node name (blockdev-backup), or a file name with a '/' (drive-backup)
  std::string sync = "full";
  std::string bitmap;
  std::string format;  // drive-backup only
  std::string on_target_error;
};

// qmpc job ACTION [ID] [...]
struct JobCommandOptions {
  std::string action;                  // list|info|wait|complete|cancel|pause|resume|speed|finalize|dismiss
  std::string id;
  std::string until = "gone";          // wait: ready|concluded|gone
  std::optional<double> wait_timeout_s;  // wait: give up after this long (exit 4)
  bool force = false;                  // cancel --force
  std::uint64_t speed = 0;             // speed BYTES
};

}  // namespace qmpc::cli
