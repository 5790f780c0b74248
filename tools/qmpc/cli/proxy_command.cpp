// qmpc proxy --listen PATH [--listen PATH]... [--client-queue BYTES]
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kProxyFooter = R"(
Shares QEMU's one QMP monitor (-s/--socket, or $QMPC_SOCKET) among any number of clients, which connect to the
UNIX socket(s) given with --listen as they would to QEMU. Each client:
  - gets a greeting built from QEMU's (its version; the oob capability when QEMU offers it) and negotiates with
    the proxy, which answers qmp_capabilities itself;
  - may use any ids: they are replaced by the proxy's own on the way to QEMU and restored, exactly as the client
    wrote them, on the way back, so clients never see each other's replies;
  - receives every event QEMU sends after it negotiated, in QEMU's order;
  - may leave at any time, even with commands in flight: their replies are dropped, the others go on.
A client that does not read is disconnected, with a warning saying so, once more than --client-queue bytes are
waiting for it: neither QEMU nor the other clients ever wait for it. Commands are forwarded as they are, quit
included; when QEMU closes the monitor, every client is closed and the proxy ends.
The socket files are created mode 0600 and removed at exit; an existing socket nobody listens on is replaced.
File descriptors passed with SCM_RIGHTS (getfd, add-fd) reach QEMU with the client's command: those of one
message go with the last command that begins in it (send such a command in a message of its own, as QEMU
expects). One command with descriptors is in flight at a time, since QEMU keeps only the last ones it received;
getfd or add-fd without any gets QEMU's error from the proxy, so it cannot take another client's; more than 16
with one message disconnect the client. Descriptors that do not reach QEMU are closed.
With --trace FILE, one transcript records QEMU's side of the proxy (the proxy's ids, QEMU's messages), each
command and reply tagged with its client's number, the one of the log lines ("client":2 in the file; see
qmpc trace show/timeline/check); events and the proxy's own qmp_capabilities name none. What the proxy
answers a client itself (its greeting and qmp_capabilities, errors for malformed input) is not recorded.
Exit: 0 when QEMU closed the monitor after SHUTDOWN (e.g. quit); 3 when it could not be reached or closed it
otherwise; 2 bad arguments; 130 on SIGINT or SIGTERM.

Examples:
  qmpc -s /run/vm.qmp --trace vm.qmpt proxy --listen /run/vm.proxy &
  qmpc -s /run/vm.proxy mirror --device drive0 --target /srv/new.qcow2 --pivot &
  qmpc -s /run/vm.proxy exec block-job-set-speed device=qmpc-mirror-1234 speed=0)";

}  // namespace

void add_proxy_command(CLI::App& app, CommandLine& out) {
  ProxyOptions& p = out.proxy;
  auto* c = app.add_subcommand("proxy", "Share QEMU's QMP monitor among several clients, on UNIX sockets of its own");
  c->footer(kProxyFooter);
  c->add_option("--listen", p.listen, "UNIX socket path clients connect to (repeatable)")
      ->type_name("PATH")
      ->required();
  c->add_option("--client-queue", p.client_queue,
                "Bytes waiting for one client before it is disconnected as not reading (K, M, G suffixes)")
      ->type_name("BYTES")
      ->transform(size_transform())
      ->default_str("4M");
  c->callback([&out] {
    out.command = Command::proxy;
    require_monitor_address(out.global);
    if (out.proxy.client_queue == 0) throw UsageError("--client-queue must be more than 0");
  });
}

}  // namespace qmpc::cli
