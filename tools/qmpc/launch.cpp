// qmpc launch [--qemu BIN] [--socket PATH] [--detach | --proxy PATH] -- QEMU-ARGS...
//
// Starts a bare QEMU with a QMP monitor on a UNIX socket (left free for other clients), waits for its greeting,
// prints {"pid": N, "socket": PATH}, then either returns at once leaving QEMU running (--detach), or stays until
// QEMU exits, forwarding its stderr and passing SIGINT/SIGTERM on, and exits with QEMU's exit code. With --proxy,
// a ProxyServer on the same executor holds the monitor and serves clients on its own socket; the line is printed
// once that socket listens, and QEMU's exit ends the proxy too.
#include "commands.hpp"
#include "detach_cleanup.hpp"
#include "proxy_server.hpp"

#include "qmp/machine.hpp"
#include "qmp/printable.hpp"
#include "qmp/socket_path.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <cstdio>
#include <functional>

namespace qmpc {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// The proxy of --proxy, run beside the launch; `changed` is cancelled when it listens and when it ends.
struct LaunchedProxy {
  explicit LaunchedProxy(asio::any_io_executor ex) : changed(ex) {}
  std::shared_ptr<ProxyServer> server;
  asio::steady_timer changed;
  bool listening = false;
  bool done = false;
  qmp::error_code ec;
  qmp::Diagnostics diag;

  asio::awaitable<void> wait_change() {
    changed.expires_at(asio::steady_timer::time_point::max());
    co_await changed.async_wait(asio::as_tuple(asio::use_awaitable));
  }
};

std::shared_ptr<LaunchedProxy> start_proxy(asio::any_io_executor ex, const Runtime& rt, const std::string& upstream) {
  auto p = std::make_shared<LaunchedProxy>(ex);
  ProxyServerOptions o;
  o.upstream = upstream;
  o.listen = {rt.line.launch.proxy};
  o.logger = rt.logger;
  o.transcript = rt.transcript;
  o.on_listening = [weak = std::weak_ptr<LaunchedProxy>(p)] {
    if (auto q = weak.lock()) {
      q->listening = true;
      q->changed.cancel();
    }
  };
  p->server = std::make_shared<ProxyServer>(ex, std::move(o));
  asio::co_spawn(ex, [p]() -> asio::awaitable<void> {
    p->ec = co_await p->server->run(p->diag);
    p->done = true;
    p->changed.cancel();
  }, asio::detached);
  return p;
}

}  // namespace

asio::awaitable<int> run_launch(const Runtime& rt) {
  const auto& opt = rt.line.launch;
  if (!opt.proxy.empty()) {  // refused before QEMU starts, as a bad --socket is
    qmp::error_code ec;
    qmp::Diagnostics diag;
    if (!qmp::claim_socket_path(opt.proxy, ec, diag)) co_return report_error(ec, diag, "--proxy");
  }
  auto forward_stderr = std::make_shared<bool>(false);  // only once up: before, QEMU's stderr goes in the error

  qmp::MachineOptions mo;
  mo.binary = opt.qemu;
  mo.args = opt.qemu_args;
  mo.bare = true;
  mo.monitor = qmp::MachineOptions::Monitor::unix_socket;
  mo.socket_path = opt.socket;
  mo.hold_session = false;
  mo.session = rt.session_options();
  if (!opt.proxy.empty()) mo.session.observer = nullptr;  // the transcript is the proxy's
  // QEMU's stderr reaches the terminal escaped as everything else qmpc prints (qmp/printable.hpp): newlines kept,
  // control characters and invalid UTF-8 shown as \xHH.
  auto stderr_text = std::make_shared<qmp::PrintableStream>();
  mo.on_stderr = [forward_stderr, stderr_text](std::string_view chunk) {
    if (!*forward_stderr) return;
    const std::string text = stderr_text->feed(chunk);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };
  qmp::Machine machine(co_await asio::this_coro::executor, std::move(mo));

  auto [ec] = co_await machine.async_start(asio::as_tuple(asio::use_awaitable));
  if (ec) {
    const std::string hint = qmp::kind_of(ec) == qmp::error_kind::process
                                 ? "check the QEMU binary (--qemu) and its arguments"
                                 : std::string();
    co_return report_error(ec, machine.diagnostics(), "starting " + opt.qemu, hint);
  }
  // SIGINT and SIGTERM go on to QEMU, which then quits; its exit status becomes ours. Caught from before the
  // pid is printed, so a caller that signals as soon as it reads the line reaches QEMU, not qmpc's default action.
  asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
  std::shared_ptr<LaunchedProxy> proxy;
  if (!opt.proxy.empty()) {
    proxy = start_proxy(co_await asio::this_coro::executor, rt, machine.socket_path());
    while (!proxy->listening && !proxy->done) co_await proxy->wait_change();
    if (!proxy->listening) {  // QEMU is of no use without it
      machine.kill(SIGTERM);
      co_await machine.async_wait_exit(5s, asio::as_tuple(asio::use_awaitable));
      co_return report_error(proxy->ec, proxy->diag, "--proxy");
    }
  }
  qmp::json::Object line;
  line.add("pid", static_cast<std::int64_t>(machine.pid())).add("socket", machine.socket_path());
  if (proxy) line.add("proxy", opt.proxy);
  print_json_line(line.str());
  if (opt.detach) {
    const pid_t pid = machine.pid();
    const std::string socket = machine.socket_path();
    machine.release();
    // QEMU's private directory (no --socket) goes once QEMU exits; a --socket path is QEMU's to remove.
    std::string why;
    if (opt.socket.empty() &&
        !remove_dir_when_exited(pid, socket, socket.substr(0, socket.find_last_of('/')), why))
      rt.logger->warn("the directory of {} will stay after QEMU exits: {}", socket, why);
    co_return 0;
  }

  *forward_stderr = true;
  std::function<void()> pass_signals_on;
  pass_signals_on = [&signals, &machine, &pass_signals_on] {
    signals.async_wait([&machine, &pass_signals_on](const boost::system::error_code& e, int sig) {
      if (e) return;  // cancelled: the wait below is over
      machine.kill(sig);
      pass_signals_on();
    });
  };
  pass_signals_on();
  for (;;) {
    auto [wec, status] = co_await machine.async_wait_exit(qmp::no_timeout, asio::as_tuple(asio::use_awaitable));
    if (wec == qmp::errc::timeout) continue;
    boost::system::error_code ignored;
    signals.cancel(ignored);
    const std::string rest = stderr_text->finish();
    std::fwrite(rest.data(), 1, rest.size(), stderr);
    // QEMU has gone, so its monitor has: the proxy closes its clients (within its grace) and removes its socket.
    while (proxy && !proxy->done) co_await proxy->wait_change();
    if (proxy && proxy->ec && proxy->ec != qmp::errc::connection_lost)
      rt.logger->warn("the proxy on {} ended: {}", opt.proxy, proxy->diag.what);
    if (wec) co_return report_error(wec, machine.diagnostics(), "waiting for QEMU to exit");
    if (status.exited) co_return status.code;
    co_return 128 + status.signal;
  }
}

}  // namespace qmpc
