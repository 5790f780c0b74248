#include "block_job_run.hpp"

#include "error_watcher.hpp"
#include "node_users.hpp"

#include "cli/error_line.hpp"
#include "cli/mirror_exit_code.hpp"
#include "cli/mirror_report.hpp"

#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>

namespace qmpc {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

const char* result_name(mirror::Outcome o) {
  switch (o) {
    case mirror::Outcome::pivoted: return "pivoted";
    case mirror::Outcome::finished: return "finished";
    case mirror::Outcome::completed: return "completed";
    case mirror::Outcome::ready: return "ready";
    case mirror::Outcome::detached: return "detached";
    case mirror::Outcome::cancelled: return "cancelled";
    default: return "failed";
  }
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

// What qmpc leaves behind when it stops waiting for a job, and how to deal with it.
std::string left_in_qemu(const std::string& job, const mirror::JobResult& r) {
  const std::string check = "; see 'qmpc exec query-block-jobs', and 'qmpc exec block-job-cancel device=" + job +
                            " force=true' cancels it";
  if (r.status == mirror::JobStatus::unknown)
    return "job " + job + " may exist in QEMU (it never said it started)" + check;
  if (r.status == mirror::JobStatus::null) return "job " + job + " is gone from QEMU";
  return "job " + job + " was left " + mirror::to_string(r.status) + (r.abort_sent ? ", with a cancel sent," : "") +
         " in QEMU" + check;
}

}  // namespace

asio::awaitable<int> run_block_job(const Runtime& rt, JobRun opt) {
  const auto ex = co_await asio::this_coro::executor;
  const auto started = qmp::Clock::now();
  auto watcher = std::make_shared<ErrorWatcher>(rt.transcript);
  auto session_options = rt.session_options();
  session_options.observer = watcher;
  if (opt.job_timeout_s) {
    // --timeout bounds the whole run: connecting and the greeting get at most that long too.
    const auto whole = seconds(*opt.job_timeout_s);
    session_options.connect_timeout = std::min(session_options.connect_timeout, whole);
    session_options.handshake_timeout = std::min(session_options.handshake_timeout, whole);
  }
  qmp::Session session(ex, session_options);
  if (int rc = co_await connect_session(session, rt)) co_return rc;
  if (opt.prepare)
    if (int rc = co_await opt.prepare(session, opt)) co_return rc;

  const auto t0 = qmp::Clock::now();
  auto ms = [t0] { return std::chrono::duration<double, std::milli>(qmp::Clock::now() - t0).count(); };
  // With --json on a terminal, a bar on stderr would land among the JSON lines: only when asked for.
  const bool bar = opt.progress.value_or(!opt.json && ::isatty(STDERR_FILENO) == 1);
  std::string status;  // the job's last status, for the bar
  bool bar_drawn = false;

  mirror::JobOptions mo = std::move(opt.job);
  mo.logger = rt.logger;
  // Progress polls for the bar and --json; otherwise one every 5 s, so that a monitor that stops answering or
  // answers as no QEMU would (a replayed transcript that diverged) ends the run instead of leaving it waiting
  // for an event that never comes (mirror::JobStateMachine::on_poll_failed).
  mo.poll_interval = (bar || opt.json) ? qmp::Clock::duration(250ms) : qmp::Clock::duration(5s);
  mo.abort_timeout = seconds(opt.abort_grace_s);  // the run ends at most this long after an abort
  mo.on_progress = [&](const mirror::ProgressInfo& p) {
    const cli::ProgressSample s{p.offset, p.len, p.speed, p.rate, p.eta, p.ready, status};
    if (opt.json) print_json_line(cli::progress_json(s, ms()));
    if (bar) {
      std::fprintf(stderr, "\r%s ", cli::progress_bar(s).c_str());
      std::fflush(stderr);
      bar_drawn = true;
    }
  };
  mo.on_status = [&](mirror::JobStatus from, mirror::JobStatus to) {
    status = mirror::to_string(to);
    if (opt.json) print_json_line(cli::status_json(mirror::to_string(from), mirror::to_string(to), ms()));
  };
  mo.on_ready = [&](const mirror::ReadyReached& r) {
    if (opt.json) {
      std::string source;
      qmp::json::append_quoted(source, r.source);
      // Both times on the clock of the summary's ready_ms: when the ready signal was read.
      const double t = std::chrono::duration<double, std::milli>(r.signal_time - t0).count();
      char ready_ms[32];
      std::snprintf(ready_ms, sizeof ready_ms, "%.3f", r.ready_ms);
      print_json_line(cli::event_json("ready", t, "\"source\":" + source + ",\"ready_ms\":" + ready_ms));
    }
  };
  mo.on_job_error = [&](const mirror::JobErrorReported& e) {
    if (!opt.json) return;
    const auto members =
        qmp::json::Object().add("operation", e.operation).add("action", e.action).add("count", e.count).str();
    print_json_line(cli::event_json("job_error", ms(), std::string_view(members).substr(1, members.size() - 2)));
  };
  mo.on_paused_by_error = [&](const mirror::PausedByError& p) {
    if (opt.json) {
      auto members = qmp::json::Object()
                         .add("operation", p.operation)
                         .add("io_status", p.io_status)
                         .add("will_resume", p.will_resume)
                         .add("message", p.message)
                         .str();
      print_json_line(
          cli::event_json("paused_by_error", ms(), std::string_view(members).substr(1, members.size() - 2)));
    } else {
      std::fprintf(stderr, "%sqmpc: %s\n", bar_drawn ? "\n" : "", qmp::printable(p.message).c_str());
    }
  };

  mirror::BlockJob job(session, mo);

  // SIGINT/SIGTERM and the whole-job deadline abort the job through the run's cancellation slot; the run then
  // completes once QEMU has cancelled it.
  // A second signal while the abort is under way stops waiting at once: the job is left as it is, and the error
  // says in which state.
  asio::cancellation_signal abort;
  bool interrupted = false, timed_out = false;
  asio::signal_set signals(ex, SIGINT, SIGTERM);
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& e, int) {
      if (e) return;
      if (interrupted) return job.abandon();
      interrupted = true;
      abort.emit(asio::cancellation_type::terminal);
      wait_signal();
    });
  };
  wait_signal();
  asio::steady_timer deadline(ex);
  if (opt.job_timeout_s) {
    deadline.expires_at(started + seconds(*opt.job_timeout_s));
    deadline.async_wait([&](const boost::system::error_code& e) {
      if (e) return;
      timed_out = true;
      abort.emit(asio::cancellation_type::terminal);
    });
  }

  auto [ec, result] =
      co_await job.async_run(asio::bind_cancellation_slot(abort.slot(), asio::as_tuple(asio::use_awaitable)));
  boost::system::error_code ignored;
  signals.cancel(ignored);
  deadline.cancel();
  if (bar_drawn) std::fputc('\n', stderr);

  cli::MirrorSummary summary;
  summary.job = result.job_id.empty() ? mo.job_id : result.job_id;
  summary.len = result.len;
  summary.offset = result.offset;
  summary.ready_ms = result.ready_ms;
  summary.done_ms = result.done_ms;
  summary.pivot_us = result.pivot_us;
  summary.error = result.diagnostics.text();
  summary.result = result_name(result.outcome);
  std::string note;
  if (!ec && result.outcome == mirror::Outcome::pivoted && !opt.pivot_target_node.empty() &&
      co_await node_in_use(session, opt.pivot_target_node) == false) {
    // Nothing used the source (qemu-storage-daemon without an export, a bare -blockdev node): no pivot happened.
    summary.result = "completed";
    note = "qmpc: " + opt.what + " job " + summary.job + " completed, but no device or export uses node '" + opt.pivot_target_node +
           "': nothing was switched over to it; it holds a complete copy\n";
  }

  cli::MirrorRunEnd end;
  end.ec = ec;
  end.outcome = result.outcome;
  end.interrupted = interrupted;
  end.timed_out = timed_out;
  end.qemu_error_is_the_cause = !watcher->last_class().empty() && watcher->last_desc() == result.diagnostics.text();
  const cli::MirrorVerdict verdict = cli::mirror_verdict(end);
  const std::string job_name = opt.what + " job " + summary.job;
  std::string error_line;
  switch (verdict.ending) {
    case cli::MirrorEnding::as_asked: break;
    case cli::MirrorEnding::abandoned:
      summary.result = "interrupted";
      summary.error = "interrupted again while the job was being aborted; " + left_in_qemu(summary.job, result);
      error_line = "qmpc: " + job_name + ": " + summary.error + "\n";
      break;
    case cli::MirrorEnding::interrupted:
      summary.result = "interrupted";
      if (summary.error.empty())
        summary.error = "interrupted by a signal; the job was aborted and the source left in use";
      error_line = "qmpc: " + job_name + " interrupted: " + summary.error + "\n";
      break;
    case cli::MirrorEnding::timed_out: {
      summary.result = "timeout";
      const bool confirmed = result.outcome == mirror::Outcome::cancelled;
      summary.error = "the job did not end within --timeout " + seconds_text(opt.job_timeout_s.value_or(0)) +
                      (confirmed ? "; it was aborted"
                                 : "; QEMU did not confirm the abort within --abort-grace " +
                                       seconds_text(opt.abort_grace_s) + ": " + left_in_qemu(summary.job, result)) +
                      (result.diagnostics.empty() ? "" : " (" + result.diagnostics.text() + ")");
      error_line = "qmpc: " + job_name + ": " + summary.error + "; raise --timeout or the --bandwidth limit\n";
      break;
    }
    case cli::MirrorEnding::refused:
      error_line = "qmpc: " + watcher->last_class() + ": " + watcher->last_desc() + "\n";
      break;
    case cli::MirrorEnding::job_error:
      if (summary.error.empty()) summary.error = ec.message();
      error_line = "qmpc: " + job_name + " " + (ec == mirror::errc::start_failed ? "could not start" : "failed") +
                   ": " + summary.error + "\n";
      break;
    case cli::MirrorEnding::qmp_error: {
      // QEMU could not be asked at all (a qmp error before or instead of the job).
      qmp::Diagnostics d;
      d.what = summary.error.empty() ? ec.message() : summary.error;
      if (summary.error.empty()) summary.error = d.what;
      error_line = cli::error_line(ec, d, job_name);
      break;
    }
  }
  const int rc = cli::to_int(verdict.code);

  if (opt.json)
    print_json_line(cli::summary_json(summary));
  else
    print_line(cli::summary_line(summary));
  if (error_line.empty()) error_line = note;
  if (!error_line.empty()) {
    std::fwrite(error_line.data(), 1, error_line.size(), stderr);
    std::fflush(stderr);
  }
  co_return rc;
}

}  // namespace qmpc
