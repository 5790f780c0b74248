// qmpc mirror --device DEV --target TARGET [options]: start a mirror and follow it to the end asked for.
//
// The job itself (state machine, readiness, pivot) is mirror::BlockJob's; this file maps the command line onto
// its options, and run_block_job (block_job_run.hpp) follows it and reports.
#include "block_job_run.hpp"
#include "commands.hpp"

#include <unistd.h>

#include <string>

namespace qmpc {

namespace asio = boost::asio;

namespace {

mirror::JobOptions job_options(const cli::MirrorOptions& o) {
  mirror::JobOptions m;
  m.device = o.device;
  if (o.blockdev) {
    m.target = mirror::BlockdevTarget{o.target};
  } else {
    mirror::DriveTarget t;
    t.path = o.target;
    t.format = o.format;
    t.mode = o.reuse_external ? mirror::DriveTarget::Mode::existing : mirror::DriveTarget::Mode::absolute_paths;
    m.target = t;
  }
  m.job_id = o.job_id.empty() ? "qmpc-mirror-" + std::to_string(::getpid()) : o.job_id;
  m.sync = o.sync == "top" ? mirror::SyncMode::top : o.sync == "none" ? mirror::SyncMode::none : mirror::SyncMode::full;
  m.speed = o.bandwidth;
  m.granularity = o.granularity;
  m.buf_size = o.buf_size;
  if (!o.on_source_error.empty()) m.on_source_error = o.on_source_error;
  if (!o.on_target_error.empty()) m.on_target_error = o.on_target_error;
  if (o.write_blocking) m.copy_mode = "write-blocking";
  m.auto_finalize = m.auto_dismiss = !o.manual_finalize;
  m.max_resumes = o.retry_errors;
  switch (o.end) {
    case cli::MirrorEnd::pivot: m.end_mode = mirror::EndMode::pivot; break;
    case cli::MirrorEnd::finish: m.end_mode = mirror::EndMode::finish; break;
    case cli::MirrorEnd::wait: m.end_mode = mirror::EndMode::wait_ready; break;
    case cli::MirrorEnd::detach: m.end_mode = mirror::EndMode::detach; break;
  }
  return m;
}

}  // namespace

asio::awaitable<int> run_mirror(const Runtime& rt) {
  const auto& opt = rt.line.mirror;
  JobRun run;
  run.job = job_options(opt);
  if (!opt.attach.empty()) {
    // Take over a running mirror: its id, and none of the start options.
    run.job.attach = true;
    run.job.job_id = opt.attach;
  }
  run.what = "mirror";
  run.json = opt.json;
  run.progress = opt.progress;
  run.job_timeout_s = opt.job_timeout_s;
  run.abort_grace_s = opt.abort_grace_s;
  if (opt.blockdev) run.pivot_target_node = opt.target;
  co_return co_await run_block_job(rt, std::move(run));
}

}  // namespace qmpc
