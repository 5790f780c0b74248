// qmpc commit, qmpc stream, qmpc backup: build the job from the command line and follow it with run_block_job
// (the progress, deadlines, signals, summary and exit codes of qmpc mirror).
#include "block_jobs.hpp"

#include "block_job_run.hpp"
#include "commit_kind_probe.hpp"

#include "mirror/start_command.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <cstdio>

namespace qmpc {

namespace asio = boost::asio;

namespace {

std::optional<std::string> optional_text(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::optional<mirror::ImageRef> image(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return mirror::ImageRef::guess(s);
}

mirror::EndMode end_mode(cli::JobEnd e, mirror::JobKind kind) {
  switch (e) {
    case cli::JobEnd::pivot: return mirror::EndMode::pivot;
    case cli::JobEnd::finish: return mirror::EndMode::finish;
    case cli::JobEnd::wait: return mirror::EndMode::wait_ready;
    case cli::JobEnd::detach: return mirror::EndMode::detach;
    case cli::JobEnd::automatic: break;
  }
  return mirror::has_ready_phase(kind) ? mirror::EndMode::wait_ready : mirror::EndMode::run;
}

// The part of every job command that is not the start command.
JobRun follow(const cli::JobFollowOptions& o, std::string what, mirror::JobKind kind) {
  JobRun run;
  run.what = what;
  run.job.job_id = !o.attach.empty() ? o.attach
                   : o.job_id.empty() ? "qmpc-" + what + "-" + std::to_string(::getpid())
                                      : o.job_id;
  run.job.attach = !o.attach.empty();
  run.job.kind = kind;
  run.job.end_mode = end_mode(o.end, kind);
  run.job.max_resumes = o.retry_errors;
  run.json = o.json;
  run.progress = o.progress;
  run.job_timeout_s = o.job_timeout_s;
  run.abort_grace_s = o.abort_grace_s;
  return run;
}

template <typename Options>
void common(Options& c, const cli::JobFollowOptions& o, const std::string& device, const std::string& job_id) {
  c.device = device;
  c.job_id = job_id;
  c.speed = o.bandwidth;
  c.auto_finalize = c.auto_dismiss = !o.manual_finalize;
}

int usage_error(const std::string& what, const std::string& why) {
  std::fprintf(stderr, "qmpc %s: %s\n", what.c_str(), why.c_str());
  return cli::to_int(cli::ExitCode::usage);
}

// Unless the job is attached to, its start command built by `build` from `opts` (a usage error when it cannot
// be); then the job followed to its end.
template <typename Options, typename Build>
asio::awaitable<int> start_and_follow(const Runtime& rt, JobRun run, const Options& opts, Build build) {
  if (!run.job.attach) {
    std::string why;
    auto cmd = build(opts, &why);
    if (!cmd) co_return usage_error(run.what, why);
    run.job.start = std::move(*cmd);
  }
  co_return co_await run_block_job(rt, std::move(run));
}

bool waits_for_ready(cli::JobEnd e) {
  return e == cli::JobEnd::pivot || e == cli::JobEnd::finish || e == cli::JobEnd::wait;
}

// qmpc commit --attach ID: whether the job has a ready phase is QEMU's word (the command line's --top and --active
// only decide when QEMU cannot say); the end asked for must suit it.
asio::awaitable<int> settle_attached_commit(qmp::Session& session, JobRun& run, cli::JobEnd end) {
  const auto kind = co_await attached_commit_kind(session, run.job.job_id);
  if (kind) run.job.kind = *kind;
  if (run.job.kind == mirror::JobKind::commit && waits_for_ready(end))
    co_return usage_error(run.what, "job '" + run.job.job_id + "' commits a layer below the active one" +
                                        (kind ? "" : " (as --top says; QEMU did not tell)") +
                                        ": it has no ready phase and ends by itself, so --pivot, --finish and "
                                        "--wait-ready do not apply");
  run.job.end_mode = end_mode(end, run.job.kind);
  co_return 0;
}

}  // namespace

asio::awaitable<int> run_commit(const Runtime& rt, const cli::CommitOptions& o) {
  // Without --top the active layer is committed; --active says the named top is the active layer. A commit attached
  // to is what QEMU says it is.
  const mirror::JobKind kind = o.active || o.top.empty() ? mirror::JobKind::active_commit : mirror::JobKind::commit;
  JobRun run = follow(o, "commit", kind);
  if (run.job.attach)
    run.prepare = [end = o.end](qmp::Session& s, JobRun& r) { return settle_attached_commit(s, r, end); };
  mirror::CommitOptions c;
  common(c, o, o.device, run.job.job_id);
  c.top = image(o.top);
  c.base = image(o.base);
  c.active = kind == mirror::JobKind::active_commit;
  c.backing_file = optional_text(o.backing_file);
  c.on_error = optional_text(o.on_error);
  co_return co_await start_and_follow(rt, std::move(run), c, mirror::build_commit_command);
}

asio::awaitable<int> run_stream(const Runtime& rt, const cli::StreamOptions& o) {
  JobRun run = follow(o, "stream", mirror::JobKind::stream);
  mirror::StreamOptions s;
  common(s, o, o.device, run.job.job_id);
  s.base = image(o.base);
  s.backing_file = optional_text(o.backing_file);
  s.on_error = optional_text(o.on_error);
  co_return co_await start_and_follow(rt, std::move(run), s, mirror::build_stream_command);
}

asio::awaitable<int> run_backup(const Runtime& rt, const cli::BackupOptions& o) {
  JobRun run = follow(o, "backup", mirror::JobKind::backup);
  mirror::BackupOptions b;
  common(b, o, o.device, run.job.job_id);
  b.target = o.target;
  b.target_is_file = o.target.find('/') != std::string::npos;
  b.format = o.format;
  b.sync = o.sync;
  b.bitmap = optional_text(o.bitmap);
  b.on_source_error = optional_text(o.on_error);
  b.on_target_error = optional_text(o.on_target_error);
  co_return co_await start_and_follow(rt, std::move(run), b, mirror::build_backup_command);
}

}  // namespace qmpc
