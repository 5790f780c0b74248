// qmpc hmp against a real QEMU: HMP text printed as text, HMP errors on stderr with exit 1.
#include "cli_process.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

TEST(CliHmp, InfoBlockAsText) {
  REQUIRE_QEMU();
  Qemu qemu(1, {"-drive", "if=none,id=disk0,driver=null-co,size=1M"});
  ASSERT_TRUE(qemu.ok());
  auto o = run_qmpc({"-s", qemu.socket(), "hmp", "info block"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.rfind("disk0 (#block", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("(null-co)\n    Removable device: "), std::string::npos) << o.out;  // real newlines
  EXPECT_EQ(o.out.find('\r'), std::string::npos) << o.out;
  EXPECT_EQ(o.out.back(), '\n');
}

TEST(CliHmp, WordsAreJoined) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "hmp", "info", "status"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "VM status: running\n");
}

TEST(CliHmp, AnHmpErrorExitsOneWithTheTextOnStderr) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "hmp", "info blah"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "qmpc: hmp: unknown command: 'info blah'\n");
  auto e = run_qmpc({"-s", qemu.socket(), "hmp", "device_del nope"});
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_EQ(e.err, "qmpc: hmp: Error: Device 'nope' not found\n");
}

TEST(CliHmp, NeedsACommandLine) {
  auto o = run_qmpc({"-s", "/nonexistent", "hmp"});
  EXPECT_EQ(o.exit_code, 2);
  auto blank = run_qmpc({"-s", "/nonexistent", "hmp", " "});
  EXPECT_EQ(blank.exit_code, 2);
  EXPECT_NE(blank.err.find("the HMP command line is empty"), std::string::npos) << blank.err;
}

}  // namespace
