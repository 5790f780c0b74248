// Follows one block job (started, or attached to) to the end asked for, the way every job command of qmpc does:
// progress bar and --json lines, the whole-run --timeout, SIGINT/SIGTERM as an abort (a second one leaves the job
// as it is), the summary line and the exit code. `qmpc mirror`, `commit`, `stream` and `backup` only build the job.
#pragma once

#include "runtime.hpp"

#include "mirror/block_job.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>

namespace qmpc {

struct JobRun {
  mirror::JobOptions job;              // the job, its end mode and error policy
  std::string what = "mirror";         // names the job in messages: "mirror job qmpc-mirror-12 failed: ..."
  bool json = false;                   // JSON lines on stdout
  std::optional<bool> progress;        // nullopt: a progress bar when stderr is a terminal
  std::optional<double> job_timeout_s; // bounds the whole run
  double abort_grace_s = 5;            // after an abort: how long QEMU may take to end the job
  std::string pivot_target_node;       // a blockdev-mirror's target: checked for users after a pivot
  // Once connected, before the job is started or attached to: settles what only QEMU can tell (the kind of a
  // commit attached to, and so its end mode). A non-zero result ends the run with that exit code.
  std::function<boost::asio::awaitable<int>(qmp::Session&, JobRun&)> prepare;
};

boost::asio::awaitable<int> run_block_job(const Runtime& rt, JobRun run);

}  // namespace qmpc
