// qmpc --trace FILE: what it refuses to write over, and that a failed connection leaves files as they were.
#include "cli_process.hpp"
#include "fake_monitor.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace qmpc_cli_test;

TEST(CliTraceFile, AnExistingTranscriptIsKeptWithoutTraceOverwrite) {
  ScratchDir dir;
  const auto trace = dir.file("old.qmpt");
  std::ofstream(trace) << "old transcript";
  auto o = run_qmpc({"-s", dir.file("none.sock"), "--trace", trace, "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find(trace), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("--trace-overwrite"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("cannot connect"), std::string::npos) << "refused before connecting: " << o.err;
  EXPECT_EQ(read_file(trace), "old transcript");
}

TEST(CliTraceFile, ASymlinkOrADeviceIsRefusedEvenWithTraceOverwrite) {
  ScratchDir dir;
  const auto target = dir.file("precious");
  std::ofstream(target) << "keep me";
  ::chmod(target.c_str(), 0644);
  const auto link = dir.file("link.qmpt");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto o = run_qmpc({"-s", dir.file("none.sock"), "--trace", link, "--trace-overwrite", "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("symbolic link"), std::string::npos) << o.err;
  EXPECT_EQ(read_file(target), "keep me");
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  auto dev = run_qmpc({"-s", dir.file("none.sock"), "--trace", "/dev/null", "--trace-overwrite", "exec", "x"});
  EXPECT_EQ(dev.exit_code, 2) << dev.err;
  EXPECT_NE(dev.err.find("'/dev/null' is a character device"), std::string::npos) << dev.err;
}

TEST(CliTraceFile, AFailedConnectionCreatesNothingAndDestroysNothing) {
  ScratchDir dir;
  const auto fresh = dir.file("fresh.qmpt");
  auto o = run_qmpc({"--connect-timeout", "0", "-s", dir.file("none.sock"), "--trace", fresh, "exec", "x"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_FALSE(std::filesystem::exists(fresh));

  const auto old = dir.file("old.qmpt");
  std::ofstream(old) << "old transcript";
  o = run_qmpc({"--connect-timeout", "0", "-s", dir.file("none.sock"), "--trace", old, "--trace-overwrite", "exec",
                "x"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_EQ(read_file(old), "old transcript");
}

TEST(CliTraceFile, TraceOverwriteReplacesAnOldTranscriptOnceConnected) {
  ScratchDir dir;
  const auto path = dir.file("qmp.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.handshake().expect("query-status", R"({"return": {"status": "running"}, "id": $ID})").ignore_forever();
  });
  const auto trace = dir.file("old.qmpt");
  std::ofstream(trace) << "old transcript";
  ::chmod(trace.c_str(), 0644);
  auto o = run_qmpc({"-s", path, "--trace", trace, "--trace-overwrite", "exec", "query-status", "--no-validate"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto text = read_file(trace);
  EXPECT_NE(text.find(R"("qmp-transcript":1)"), std::string::npos) << text;
  EXPECT_NE(text.find("query-status"), std::string::npos) << text;
  struct stat st {};
  ASSERT_EQ(::stat(trace.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
