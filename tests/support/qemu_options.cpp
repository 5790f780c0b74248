#include "support/qemu_options.hpp"

#include "support/process_runner.hpp"
#include "support/qemu_tools.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace qmpc_test {
namespace {

std::string qemu_binary() { return qemu_tool("qemu-system-x86_64"); }

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
  // The real-QEMU tiers are part of the suite: a missing QEMU fails them unless skipping was asked for.
  if (!available && !std::getenv("QMPC_ALLOW_MISSING_QEMU"))
    ADD_FAILURE() << qemu_binary() << " cannot be run: install it (tools/scripts/install-deps.sh), or set "
                  << "QMPC_ALLOW_MISSING_QEMU=1 to skip the tests that need it";
  return available;
}

}  // namespace qmpc_test
