// The QEMU installation the suite uses is one installation: every tool it (or a child on PATH) starts reports the
// version of the qemu-system-x86_64 it starts, so a run against QMPC_QEMU_DIR never mixes in the system's tools.
#include "support/qemu_options.hpp"
#include "support/qemu_tools.hpp"

#include <gtest/gtest.h>

namespace {

TEST(QemuTools, EveryToolTheSuiteStartsIsTheVersionOfItsQemuSystem) {
  if (!qmpc_test::qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
  const std::string system = qmpc_test::tool_version(qmpc_test::qemu_tool("qemu-system-x86_64"));
  ASSERT_FALSE(system.empty());
  for (const char* name : {"qemu-system-x86_64", "qemu-img", "qemu-io", "qemu-storage-daemon"}) {
    EXPECT_EQ(qmpc_test::tool_version(qmpc_test::qemu_tool(name)), system) << qmpc_test::qemu_tool(name);
    // What a child such as `qmpc launch` or `qmpc demo` finds on PATH.
    EXPECT_EQ(qmpc_test::tool_version(name), system) << name << " on PATH";
  }
}

TEST(QemuTools, KnowsTheVersionOfItsQemuSystem) {
  if (!qmpc_test::qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
  const auto v = qmpc_test::qemu_system_version();
  EXPECT_GE(v.major, 2);
  EXPECT_EQ(v.text.rfind(std::to_string(v.major) + "." + std::to_string(v.minor) + ".", 0), 0u) << v.text;
  EXPECT_TRUE(v.at_least(v.major, v.minor));
  EXPECT_FALSE(v.at_least(v.major + 1, 0));
}

}  // namespace
