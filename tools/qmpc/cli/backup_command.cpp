// qmpc backup --device DEV --target T [--sync MODE] [--bitmap NAME] [--format FMT] [...]
#include "cli/block_job_follow.hpp"
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

#include <vector>

namespace qmpc::cli {
namespace {

constexpr const char* kBackupFooter = R"(
Starts a backup of the disk: blockdev-backup when TARGET is a node name (added with blockdev-add), or
drive-backup when TARGET is a file name (it has a '/'; QEMU creates it, in --format; drive-backup is deprecated
in QEMU and absent where QEMU dropped it). --sync full (default), top, none, incremental or bitmap (these two
need --bitmap NAME, a dirty bitmap of the source, e.g. added with block-dirty-bitmap-add before the full backup).
The job has no ready phase: qmpc follows it to its end (result "completed"), or --detach exits once it runs.
--attach ID takes over the running backup ID. --json, --timeout, --abort-grace, SIGINT/SIGTERM and the exit
codes are those of qmpc mirror.
Exit: 0 done; 1 the job or a command failed; 2 usage; 3 connection lost; 4 --timeout passed; 130.

Examples:
  qmpc backup --device disk0 --target /backup/full.qcow2 --format qcow2
  qmpc backup --device disk0 --target inc0 --sync incremental --bitmap bm0)";

}  // namespace

void add_backup_command(CLI::App& app, CommandLine& out) {
  BackupOptions& m = out.backup;
  auto* c = app.add_subcommand("backup", "Start a blockdev-backup or drive-backup and follow it to its end");
  c->footer(kBackupFooter);
  c->add_option("--device", m.device, "Device or node name of the disk to back up")->type_name("DEV");
  c->add_option("--target", m.target, "Target node name (blockdev-backup) or file name (drive-backup)")
      ->type_name("TARGET");
  c->add_option("--sync", m.sync, "What to copy: full|top|none|incremental|bitmap")
      ->type_name("MODE")
      ->check(quiet(CLI::IsMember(std::vector<std::string>{"full", "top", "none", "incremental", "bitmap"})))
      ->capture_default_str();
  c->add_option("--bitmap", m.bitmap, "Dirty bitmap for --sync incremental or bitmap")->type_name("NAME");
  c->add_option("--format", m.format, "Target image format for a file target (drive-backup)")->type_name("FMT");
  c->add_option("--on-target-error", m.on_target_error, "On a write error: report|stop|enospc|ignore")
      ->type_name("P")
      ->check(quiet(CLI::IsMember(std::vector<std::string>{"report", "stop", "enospc", "ignore"})));
  add_follow_options(*c, m, "backup", false);
  c->callback([&out, &m, c] {
    out.command = Command::backup;
    read_follow_flags(*c, m);
    if (m.attach.empty() && (m.device.empty() || m.target.empty()))
      throw UsageError("--device and --target are required (or --attach ID)");
    if ((m.sync == "incremental" || m.sync == "bitmap") && m.bitmap.empty() && m.attach.empty())
      throw UsageError("--sync " + m.sync + " needs --bitmap NAME");
    if (!m.format.empty() && m.target.find('/') == std::string::npos)
      throw UsageError("--format is for a file target (drive-backup); a node target has its own format");
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
