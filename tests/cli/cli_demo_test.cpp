// qmpc demo end to end: a scratch disk is mirrored, pivoted and verified.
#include "cli_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

using namespace qmpc_cli_test;

TEST(CliDemo, MirrorsPivotsVerifiesAndKeepsTheFiles) {
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
  ScratchDir dir;
  const auto keep = dir.file("kept");
  auto o = run_qmpc({"demo", "--size", "32M", "--keep", keep}, 120000ms);
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  for (const char* s : {"verified", "ready after ", " ms", "\xc2\xb5s after ready", "completed after ", "pivoted"})
    EXPECT_NE(o.out.find(s), std::string::npos) << s << " in " << o.out;
  EXPECT_TRUE(std::filesystem::exists(keep + "/source.qcow2"));
  EXPECT_TRUE(std::filesystem::exists(keep + "/copy.qcow2"));
  EXPECT_EQ(run_program({qemu_tool("qemu-img"), "compare", keep + "/source.qcow2", keep + "/copy.qcow2"}).exit_code, 0);
}

TEST(CliDemo, CleansUpWithoutKeep) {
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
  ScratchDir tmp;
  auto o = run_qmpc({"demo", "--size", "4M"}, 120000ms, {"TMPDIR=" + tmp.path()});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path())) << "the demo's directory is removed";
}

TEST(CliDemo, MissingQemuFailsWithExitOne) {
  auto o = run_qmpc({"demo", "--size", "1M", "--qemu", "/nonexistent/qemu"}, 60000ms);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("/nonexistent/qemu"), std::string::npos) << o.err;
}

}  // namespace
