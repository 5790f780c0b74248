// qmpc stream --device DEV [--base NODE|FILE] [...]
#include "cli/block_job_follow.hpp"
#include "cli/subcommands.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kStreamFooter = R"(
Starts block-stream: the data of the backing chain down to BASE (default: all of it) is copied into the top
image, and those layers leave the chain. NODE|FILE: a name with a '/' is a file name, anything else a node name.
The job has no ready phase: qmpc follows it to its end (result "completed"), or --detach exits once it runs.
--attach ID takes over the running stream ID. --json, --timeout, --abort-grace, SIGINT/SIGTERM and the exit
codes are those of qmpc mirror.
Exit: 0 done; 1 the job or a command failed; 2 usage; 3 connection lost; 4 --timeout passed; 130.

Example:
  qmpc stream --device disk0 --json)";

}  // namespace

void add_stream_command(CLI::App& app, CommandLine& out) {
  StreamOptions& m = out.stream;
  auto* c = app.add_subcommand("stream", "Start a block-stream (pull the backing chain into the top image) and follow it");
  c->footer(kStreamFooter);
  c->add_option("--device", m.device, "Device or root node name of the disk")->type_name("DEV");
  c->add_option("--base", m.base, "Keep this layer and those below it as the backing chain")->type_name("NODE|FILE");
  c->add_option("--backing-file", m.backing_file, "Backing file name to write into the top image")->type_name("FILE");
  add_follow_options(*c, m, "stream", false);
  c->callback([&out, &m, c] {
    out.command = Command::stream;
    read_follow_flags(*c, m);
    if (m.attach.empty() && m.device.empty()) throw UsageError("--device is required (or --attach ID)");
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
