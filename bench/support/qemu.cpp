#include "support/qemu.hpp"

#include "support/run.hpp"

#include <cstdlib>

namespace qmpc_bench {

std::string qemu_binary() {
  const char* env = std::getenv("QMPC_BENCH_QEMU");
  return env && *env ? env : "qemu-system-x86_64";
}

qmp::MachineOptions bare_qemu(std::vector<std::string> extra) {
  qmp::MachineOptions o;
  o.binary = qemu_binary();
  o.bare = true;
  o.args = std::move(extra);
  return o;
}

namespace {

qmp::MachineOptions on_unix_socket(std::vector<std::string> extra) {
  auto o = bare_qemu(std::move(extra));
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  o.hold_session = false;
  return o;
}

}  // namespace

UnixSocketQemu::UnixSocketQemu(boost::asio::io_context& ioc, std::vector<std::string> extra)
    : ioc_(ioc), machine_(ioc.get_executor(), on_unix_socket(std::move(extra))) {
  run_coroutine(
      ioc_,
      [this]() -> boost::asio::awaitable<void> {
        auto [ec] = co_await machine_.async_start(tuple_awaitable);
        if (ec) throw std::runtime_error("QEMU did not start: " + machine_.diagnostics().what);
      },
      std::chrono::seconds(30));
}

void UnixSocketQemu::stop() {
  run_coroutine(
      ioc_,
      [this]() -> boost::asio::awaitable<void> {
        co_await machine_.async_stop(qmp::StopOptions{}, tuple_awaitable);
      },
      std::chrono::seconds(30));
}

}  // namespace qmpc_bench
