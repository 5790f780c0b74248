#include "support/qemu_options.hpp"

#include "support/process_runner.hpp"

#include <cstdlib>

namespace qmpc_test {
namespace {

std::string qemu_binary() {
  const char* env = std::getenv("QMPC_TEST_QEMU");
  return env && *env ? env : "qemu-system-x86_64";
}

}  // namespace

qmp::MachineOptions bare_qemu(std::vector<std::string> extra) {
  qmp::MachineOptions o;
  o.binary = qemu_binary();
  o.bare = true;
  o.args = std::move(extra);
  return o;
}

qmp::MachineOptions bare_qemu(const boost::asio::any_io_executor&, std::vector<std::string> extra) {
  return bare_qemu(std::move(extra));
}

bool qemu_available() {
  static const bool available = run_process({qemu_binary(), "--version"}).ok();
  return available;
}

}  // namespace qmpc_test
