// qmpc --trace on a real mirror, then qmpc trace timeline / check on the transcript it wrote.
#include "cli_process.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc_cli_test;

TEST(CliTrace, TimelineAndCheckOfARecordedMirror) {
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
  ScratchDir dir;
  const auto source = dir.file("src.qcow2");
  ASSERT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", source, "16M"}).exit_code, 0);
  ASSERT_EQ(run_program({qemu_tool("qemu-io"), "-c", "write -P 0x11 0 4M", source}).exit_code, 0);
  Qemu qemu(1, {"-drive", "if=none,id=disk0,node-name=drive0,file=" + source});
  const auto transcript = dir.file("run.qmpt");
  auto m = run_qmpc({"-s", qemu.socket(), "--trace", transcript, "mirror", "--device", "disk0", "--target",
                     dir.file("dst.qcow2"), "--job-id", "t1", "--pivot"});
  ASSERT_EQ(m.exit_code, 0) << m.err;

  auto timeline = run_qmpc({"trace", "timeline", transcript});
  EXPECT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_NE(timeline.out.find("t1"), std::string::npos) << timeline.out;
  auto check = run_qmpc({"trace", "check", transcript});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  auto missing = run_qmpc({"trace", "timeline", dir.file("nope.qmpt")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.qmpt"), std::string::npos) << missing.err;
  auto typo = run_qmpc({"trace", "chek", transcript});
  EXPECT_EQ(typo.exit_code, 2);
}

}  // namespace
