// qmpc launch [--qemu BIN] [--socket PATH] [--detach | --proxy PATH] [-- QEMU-ARGS...]
#include "cli/subcommands.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kLaunchFooter = R"(
Starts QEMU (with -M none -nodefaults -display none first unless QEMU-ARGS choose a machine) with a QMP
monitor on a UNIX socket, waits for its greeting, then prints {"pid": N, "socket": PATH} on stdout. It then
stays in the foreground, forwarding QEMU's stderr, until QEMU exits, and exits with QEMU's exit code; SIGINT
and SIGTERM are passed on to QEMU. With --detach it exits 0 at once and leaves QEMU running (stop it with
'qmpc -s PATH exec quit').
With --proxy PATH it also serves 'qmpc proxy' for the monitor (see 'qmpc proxy --help') on the UNIX socket
PATH, in this process: clients connect to PATH, never to QEMU's own socket, and any number of them at once.
The line printed once PATH listens gains "proxy": PATH. When QEMU exits, every client gets EOF and PATH is
removed. --trace FILE then records the proxy's traffic, tagged by client. --proxy cannot go with --detach (the
proxy lives in this process).
Exit: QEMU's exit code (128+N when killed by signal N); 0 with --detach; 3 when QEMU exits before its
greeting (its stderr is shown); 1 when it cannot be started; 4 when no greeting came within 15 seconds.

Examples:
  qmpc launch --detach -- -drive if=none,id=disk0,file=disk.qcow2,node-name=drive0
  qmpc launch --detach --socket /tmp/vm.qmp -- -m 256 && qmpc -s /tmp/vm.qmp exec query-status
  qmpc launch --proxy /tmp/vm.proxy -- -m 256 &   # then: qmpc -s /tmp/vm.proxy exec ..., from any number of shells)";

}  // namespace

void add_launch_command(CLI::App& app, CommandLine& out) {
  LaunchOptions& l = out.launch;
  auto* c = app.add_subcommand("launch", "Start a bare QEMU with a QMP monitor and print its pid and socket");
  c->footer(kLaunchFooter);
  c->add_option("--qemu", l.qemu, "QEMU binary")->type_name("BIN")->capture_default_str();
  c->add_option("--socket", l.socket, "Monitor socket path (default: qmp.sock in a new private directory)")
      ->type_name("PATH");
  c->add_flag("--detach", l.detach, "Exit once QEMU is up, leaving it running");
  c->add_option("--proxy", l.proxy, "Also share the monitor among any number of clients on the UNIX socket PATH")
      ->type_name("PATH");
  c->add_option("QEMU-ARGS", l.qemu_args, "Arguments for QEMU, after --")->type_name("ARG");
  c->callback([&out] {
    out.command = Command::launch;
    // The global -s names the socket too (launch's own --socket wins).
    if (out.launch.socket.empty() && out.global.socket_given) out.launch.socket = out.global.socket;
    if (!out.launch.proxy.empty() && out.launch.detach)
      throw UsageError("--proxy cannot go with --detach: the proxy lives in this process, which --detach ends");
    if (!out.launch.proxy.empty() && out.launch.proxy == out.launch.socket)
      throw UsageError("--proxy needs a path of its own, not QEMU's monitor socket");
  });
}

}  // namespace qmpc::cli
