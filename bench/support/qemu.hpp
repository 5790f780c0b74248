// Which QEMU the benchmarks start: qemu-system-x86_64, or $QMPC_BENCH_QEMU.
#pragma once

#include "qmp/machine.hpp"

#include <string>
#include <vector>

namespace qmpc_bench {

std::string qemu_binary();
// A bare machine (-M none -nodefaults -display none) with `extra` arguments; QMP on a socketpair.
qmp::MachineOptions bare_qemu(std::vector<std::string> extra = {});

}  // namespace qmpc_bench
