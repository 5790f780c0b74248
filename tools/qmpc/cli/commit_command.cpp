// qmpc commit --device DEV [--top NODE|FILE] [--base NODE|FILE] [--active] [...]
#include "cli/block_job_follow.hpp"
#include "cli/subcommands.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kCommitFooter = R"(
Starts block-commit: the data of TOP (and of every layer between it and BASE) is written into BASE, and the
layers above BASE up to TOP leave the chain. NODE|FILE: a name with a '/' is a file name as the chain records
it (top, base), anything else a node name (top-node, base-node).

An active commit (no --top: the active layer; or --active when --top names it) has a ready phase, as a mirror:
  --wait-ready  (default) wait until the job is ready, exit leaving it running
  --pivot       wait until ready, complete it (the device then reads from BASE), wait until completed
  --finish      wait until ready, then cancel softly: BASE holds the data, the device stays on the top layer
  --detach      exit as soon as the job runs
The job is completed only once QEMU reports it ready, never because offset reached len.
A commit of a layer below the active one has no ready phase: it ends by itself (result "completed");
--pivot, --finish and --wait-ready are refused for it (exit 2).

--attach ID takes over the running commit ID (started by something else, or by a qmpc that was killed).
QEMU says which kind it is (x-debug-query-block-graph; query-block-jobs type is "commit" for both): an active
commit then ends as asked, with the same ready rule; one below the active layer is followed to its end, and
--pivot, --finish and --wait-ready are refused for it (exit 2). --top and --active decide only when QEMU cannot say.
--json, --timeout, --abort-grace, SIGINT/SIGTERM and the exit codes are those of qmpc mirror.
Exit: 0 done; 1 the job or a command failed; 2 usage; 3 connection lost; 4 --timeout passed; 130.

Examples:
  qmpc commit --device disk0 --pivot
  qmpc commit --device disk0 --top /images/mid.qcow2 --base /images/base.qcow2)";

}  // namespace

void add_commit_command(CLI::App& app, CommandLine& out) {
  CommitOptions& m = out.commit;
  auto* c = app.add_subcommand("commit", "Start a block-commit and follow it (an active commit pivots only once ready)");
  c->footer(kCommitFooter);
  c->add_option("--device", m.device, "Device or root node name of the disk")->type_name("DEV");
  c->add_option("--top", m.top, "The top layer to commit (default: the active layer)")->type_name("NODE|FILE");
  c->add_option("--base", m.base, "The layer to commit into (default: the bottom of the chain)")->type_name("NODE|FILE");
  c->add_flag("--active", m.active, "--top is the active layer: an active commit, with a ready phase");
  c->add_option("--backing-file", m.backing_file, "Backing file name to write into the image above TOP")
      ->type_name("FILE");
  add_follow_options(*c, m, "commit", true);
  c->callback([&out, &m, c] {
    out.command = Command::commit;
    read_follow_flags(*c, m);
    if (m.attach.empty() && m.device.empty()) throw UsageError("--device is required (or --attach ID)");
    const bool active = m.active || m.top.empty();
    if (!active && (m.end == JobEnd::pivot || m.end == JobEnd::finish || m.end == JobEnd::wait) && m.attach.empty())
      throw UsageError(
          "a commit of a layer below the active one has no ready phase: it ends by itself, so --pivot, --finish and "
          "--wait-ready do not apply (add --active if --top is the active layer)");
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
