// qmpc mirror --device DEV --target TARGET [...]
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

#include <vector>

namespace qmpc::cli {
namespace {

constexpr const char* kMirrorFooter = R"(
Starts drive-mirror (TARGET is a file path; qmpc lets QEMU create it unless --reuse-external) or, with
--blockdev, blockdev-mirror (TARGET is the node name of an already added target), then follows the job.
The job is only completed once QEMU reports it ready (JOB_STATUS_CHANGE ready, BLOCK_JOB_READY, or a query
showing status ready), never because offset reached len.

How it ends (one of):
  --wait     (default) wait until the job is ready, exit leaving it mirroring
  --pivot    wait until ready, complete it (switch the device to TARGET), wait until completed
  --finish   wait until ready, then cancel softly: TARGET keeps a point-in-time copy, the device stays on
             the source
  --detach   exit as soon as the job runs

--attach ID takes over the running mirror ID instead of starting one (a job left by a qmpc that was killed,
or started by something else): its state comes from query-jobs / query-block-jobs, then it ends as asked,
with the same ready rule.

--json prints one JSON object per line on stdout: each state change, progress at each poll, and a final
summary {"result": "pivoted"|"completed"|"finished"|"ready"|"detached"|"failed"|"cancelled"|"timeout"|
"interrupted", "job", "len", "offset", "ready_ms", "done_ms", "pivot_us" (from reading the first ready signal to writing
the completion command), "error"}. Without --json, one human-readable line on stdout at the end.
SIGINT or SIGTERM aborts the job (a forced cancel after ready: the source stays in use, untouched), waits
for the cancellation (at most --abort-grace) and exits 130; a second one exits 130 at once, saying in which
state the job was left in QEMU.
--timeout bounds the whole run, connecting included: once it passes the job is aborted, and qmpc exits 4 at
most --abort-grace seconds later (default 5), whether QEMU confirmed the abort or never answered at all; the
error then says what state the job was left in.
Without --timeout the run never waits blindly either: qmpc asks QEMU for the job (query-block-jobs) every
250 ms with a bar or --json, every 5 s otherwise; a monitor that refuses it or leaves it unanswered (past
the global --timeout) twice in a row is not behaving as QEMU does (a replayed transcript that diverged): the
job is aborted and qmpc exits 3 at most --abort-grace seconds later.
Exit: 0 done; 1 the job or a command failed; 3 connection lost, or a monitor that does not answer as QEMU;
4 --timeout passed (job aborted); 130.

Examples:
  qmpc mirror --device drive0 --target /srv/new.qcow2 --format qcow2 --pivot
  qmpc mirror --blockdev --device drive0 --target tgt --bandwidth 64M --json --finish)";

// Conflicts between mirror options, as one line ("" when there is none).
std::string mirror_conflict(const CLI::App& c, const MirrorOptions& m) {
  const auto ends = c.count("--pivot") + c.count("--finish") + c.count("--wait") + c.count("--detach");
  if (ends > 1) return "--pivot, --finish, --wait and --detach exclude each other: choose one way to end";
  if (c.count("--progress") && c.count("--no-progress")) return "--progress and --no-progress exclude each other";
  if (m.blockdev && !m.format.empty())
    return "--format is for drive-mirror; with --blockdev the target node already has its format";
  if (m.blockdev && m.reuse_external) return "--reuse-external is for drive-mirror; a --blockdev target always exists";
  return {};
}

}  // namespace

void add_mirror_command(CLI::App& app, CommandLine& out) {
  MirrorOptions& m = out.mirror;
  auto* c = app.add_subcommand("mirror", "Start a drive-mirror or blockdev-mirror and follow it to the end you choose");
  c->footer(kMirrorFooter);
  c->add_option("--device", m.device, "Device or node name of the disk to copy")->type_name("DEV");
  c->add_option("--target", m.target, "Target file path (drive-mirror) or node name (with --blockdev)")
      ->type_name("TARGET");
  c->add_option("--attach", m.attach,
                "Take over the running mirror ID (one qmpc did not start, or whose qmpc is gone) instead of starting one")
      ->type_name("ID");
  c->add_flag("--blockdev", m.blockdev, "Use blockdev-mirror; TARGET is an existing node name");
  c->add_option("--format", m.format, "Target image format for drive-mirror (e.g. qcow2, raw)")->type_name("FMT");
  c->add_option("--sync", m.sync, "What to copy: full|top|none")
      ->type_name("MODE")
      ->check(quiet(CLI::IsMember({"full", "top", "none"})))
      ->capture_default_str();
  c->add_flag("--reuse-external", m.reuse_external, "TARGET exists already (drive-mirror mode 'existing')");
  c->add_option("--job-id", m.job_id, "Job id (default: qmpc-mirror-PID)")->type_name("ID");
  c->add_option("--bandwidth", m.bandwidth, "Speed limit in bytes per second (K, M, G suffixes); 0 for none")
      ->type_name("BYTES")
      ->transform(size_transform());
  c->add_option("--granularity", m.granularity, "Dirty bitmap granularity in bytes (a power of 2, 512 to 64M)")
      ->type_name("BYTES")
      ->transform(size_transform());
  c->add_option("--buf-size", m.buf_size, "Copy buffer size in bytes")->type_name("BYTES")->transform(size_transform());
  const std::vector<std::string> policies{"report", "stop", "enospc", "ignore"};
  c->add_option("--on-source-error", m.on_source_error, "On a read error: report|stop|enospc|ignore")
      ->type_name("P")
      ->check(quiet(CLI::IsMember(policies)));
  c->add_option("--on-target-error", m.on_target_error, "On a write error: report|stop|enospc|ignore")
      ->type_name("P")
      ->check(quiet(CLI::IsMember(policies)));
  c->add_flag("--write-blocking", m.write_blocking, "Copy guest writes to the target synchronously (copy-mode)");
  c->add_flag("--manual-finalize", m.manual_finalize,
              "Turn auto-finalize and auto-dismiss off; qmpc finalizes and dismisses the job itself");
  c->add_option("--retry-errors", m.retry_errors,
                "Resume a job paused by an I/O error up to N times (default 0: abort it)")
      ->type_name("N");
  // How it ends and whether to draw a progress bar: read from the flags' counts once parsed.
  const auto counted_flag = [c](const char* name, const std::string& description) { c->add_flag(name, description); };
  counted_flag("--pivot", "Wait until ready, complete (pivot to TARGET), wait until done");
  counted_flag("--finish", "Wait until ready, then cancel softly (copy without pivot)");
  counted_flag("--wait", "Wait until ready and exit, leaving the job mirroring (default)");
  counted_flag("--detach", "Exit as soon as the job runs");
  c->add_option("--timeout", m.job_timeout_s, "Deadline for the whole job in seconds; on expiry it is aborted (exit 4)")
      ->type_name("SEC")
      ->check(seconds_check(true));
  c->add_option("--abort-grace", m.abort_grace_s,
                "After an abort, wait this long for QEMU to end the job, then exit anyway")
      ->type_name("SEC")
      ->check(seconds_check(false))
      ->capture_default_str();
  counted_flag("--progress", "Show a progress bar on stderr even when it is no terminal");
  counted_flag("--no-progress", "Never show a progress bar");
  c->add_flag("--json", m.json, "One JSON object per line on stdout: state changes, progress, final summary");
  c->callback([&out, &m, c] {
    out.command = Command::mirror;
    if (m.attach.empty() && (m.device.empty() || m.target.empty()))
      throw UsageError("--device and --target are required (or --attach ID)");
    if (auto conflict = mirror_conflict(*c, m); !conflict.empty()) throw UsageError(conflict);
    if (c->count("--pivot")) m.end = MirrorEnd::pivot;
    if (c->count("--finish")) m.end = MirrorEnd::finish;
    if (c->count("--detach")) m.end = MirrorEnd::detach;
    if (c->count("--progress")) m.progress = true;
    if (c->count("--no-progress")) m.progress = false;
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
