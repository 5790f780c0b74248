#include "support/qemu.hpp"

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

}  // namespace qmpc_bench
