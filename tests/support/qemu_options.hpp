// Options for a bare QEMU in tests: -M none -nodefaults -display none, QMP on a socketpair.
#pragma once

#include "qmp/machine.hpp"

#include <string>
#include <vector>

namespace qmpc_test {

// MachineOptions for qemu-system-x86_64 with "-M none -nodefaults -display none" and `extra` arguments.
// The binary is qemu_tool("qemu-system-x86_64") (QMPC_QEMU_DIR, support/qemu_tools.hpp).
qmp::MachineOptions bare_qemu(std::vector<std::string> extra = {});
// Same; the executor is accepted for symmetry with Machine's constructor and not used.
qmp::MachineOptions bare_qemu(const boost::asio::any_io_executor& ex, std::vector<std::string> extra = {});

// True when the QEMU binary of bare_qemu() can be run. Tests needing QEMU GTEST_SKIP() otherwise.
bool qemu_available();

}  // namespace qmpc_test
