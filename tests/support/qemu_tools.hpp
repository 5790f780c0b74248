// Which QEMU installation the tests use. By default the tools on PATH (the system's QEMU). With QMPC_QEMU_DIR=DIR
// (a directory holding qemu-system-x86_64, qemu-img, qemu-io and qemu-storage-daemon, such as the bin folder that
// tools/scripts/fetch-qemu.sh writes) every tool comes from DIR: tests start DIR/NAME, and DIR is put first in
// PATH so that every child (qmpc launch, qmpc demo) finds the same installation.
#pragma once

#include <string>
#include <string_view>

namespace qmpc_test {

// DIR/name under QMPC_QEMU_DIR (even when absent there: a missing tool fails rather than mixing versions);
// plain `name` (looked up on PATH) otherwise.
std::string qemu_tool(std::string_view name);

// Puts QMPC_QEMU_DIR first in this process's PATH (no-op when unset). The test mains call it before any test.
void put_qemu_dir_first_in_path();

// "MAJOR.MINOR.MICRO" from the first line of `program --version` ("QEMU emulator version 10.0.2 (Debian ...)",
// "qemu-img version 7.2.22 ..."); empty when it cannot be run or says no version.
std::string tool_version(const std::string& program);

// Version of the qemu-system-x86_64 the tests use (`text` is "MAJOR.MINOR.MICRO"); all zero / empty when unknown.
// Tests check behaviour that differs between QEMU versions against it, and the greeting's version against `text`.
struct QemuVersion {
  int major = 0, minor = 0;
  std::string text;
  bool at_least(int maj, int min) const noexcept { return major > maj || (major == maj && minor >= min); }
};
QemuVersion qemu_system_version();

}  // namespace qmpc_test
