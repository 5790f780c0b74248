#include "cli/block_job_follow.hpp"

#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

#include <vector>

namespace qmpc::cli {

void add_follow_options(CLI::App& c, JobFollowOptions& o, const std::string& what, bool ready_phase_ends) {
  // Flags read by their counts once parsed (read_follow_flags).
  const auto counted_flag = [&c](const char* name, const std::string& description) { c.add_flag(name, description); };
  c.add_option("--job-id", o.job_id, "Job id (default: qmpc-" + what + "-PID)")->type_name("ID");
  c.add_option("--attach", o.attach, "Take over the running job ID (one qmpc did not start, or whose qmpc is gone)")
      ->type_name("ID");
  c.add_option("--bandwidth", o.bandwidth, "Speed limit in bytes per second (K, M, G suffixes); 0 for none")
      ->type_name("BYTES")
      ->transform(size_transform());
  c.add_option("--on-error", o.on_error, "On an I/O error: report|stop|enospc|ignore|auto")
      ->type_name("P")
      ->check(quiet(CLI::IsMember(std::vector<std::string>{"report", "stop", "enospc", "ignore", "auto"})));
  c.add_flag("--manual-finalize", o.manual_finalize,
             "Turn auto-finalize and auto-dismiss off; qmpc finalizes and dismisses the job itself");
  c.add_option("--retry-errors", o.retry_errors, "Resume a job paused by an I/O error up to N times (default 0: abort it)")
      ->type_name("N");
  if (ready_phase_ends) {
    counted_flag("--pivot", "Wait until ready, complete it, wait until done (an active commit: the base becomes active)");
    counted_flag("--finish", "Wait until ready, then cancel softly (no pivot)");
    counted_flag("--wait-ready", "Wait until ready and exit, leaving the job running (default for an active commit)");
  }
  counted_flag("--detach", "Exit as soon as the job runs");
  c.add_option("--timeout", o.job_timeout_s, "Deadline for the whole job in seconds; on expiry it is aborted (exit 4)")
      ->type_name("SEC")
      ->check(seconds_check(true));
  c.add_option("--abort-grace", o.abort_grace_s, "After an abort, wait this long for QEMU to end the job, then exit anyway")
      ->type_name("SEC")
      ->check(seconds_check(false))
      ->capture_default_str();
  counted_flag("--progress", "Show a progress bar on stderr even when it is no terminal");
  counted_flag("--no-progress", "Never show a progress bar");
  c.add_flag("--json", o.json, "One JSON object per line on stdout: state changes, progress, final summary");
}

void read_follow_flags(const CLI::App& c, JobFollowOptions& o) {
  const auto count = [&c](const char* name) { return c.get_option_no_throw(name) ? c.count(name) : 0u; };
  if (count("--pivot") + count("--finish") + count("--wait-ready") + count("--detach") > 1)
    throw UsageError("--pivot, --finish, --wait-ready and --detach exclude each other: choose one way to end");
  if (count("--progress") && count("--no-progress")) throw UsageError("--progress and --no-progress exclude each other");
  if (count("--pivot")) o.end = JobEnd::pivot;
  if (count("--finish")) o.end = JobEnd::finish;
  if (count("--wait-ready")) o.end = JobEnd::wait;
  if (count("--detach")) o.end = JobEnd::detach;
  if (count("--progress")) o.progress = true;
  if (count("--no-progress")) o.progress = false;
}

}  // namespace qmpc::cli
