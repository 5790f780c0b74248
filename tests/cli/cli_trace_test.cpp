// qmpc --trace on a real mirror, then qmpc trace timeline / check on the transcript it wrote; and hostile input to
// every trace action (no QEMU needed).
#include "cli_process.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

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

std::string nested(std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

void put(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A trace action fails cleanly: exit 1, no signal, the error naming the nesting limit.
void expect_refused(const Outcome& r, const std::string& says) {
  EXPECT_EQ(r.signal, 0) << "killed by signal " << r.signal;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err.substr(0, 300);
}

TEST(CliTrace, JsonNested200000DeepInATranscriptOrLogIsAnErrorForEveryAction) {
  ScratchDir dir;
  const auto transcript = dir.file("deep.qmpt");
  put(transcript, R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n"
                  R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"return":)" + nested(200000) + "}}\n");
  const std::string says = "deep.qmpt: line 2: entry is not a JSON object: nested deeper than 1000 levels (the limit)";
  expect_refused(run_qmpc({"trace", "check", transcript}), says);
  expect_refused(run_qmpc({"trace", "timeline", transcript}), says);
  expect_refused(run_qmpc({"trace", "replay", transcript, "--listen", dir.file("r.sock")}), says);

  const auto log = dir.file("deep.log");
  put(log, "2026-11-25 17:05:26.222+0000: 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7f00 "
           "msg={\"execute\":\"stop\",\"arguments\":" + nested(200000) + "}\r\n fd=-1\n");
  expect_refused(run_qmpc({"trace", "import-libvirt", log, "-o", dir.file("out.qmpt")}),
                 "line 1: a message to QEMU on monitor 0x7f00 is nested deeper than 1000 levels (the limit)");
}

// Connects to a UNIX socket and returns the descriptor (-1 on failure).
int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

// Reads up to and including the next '\n' (at most 10 s).
std::string read_line(int fd) {
  std::string line;
  char c = 0;
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 10000) == 1 && ::read(fd, &c, 1) == 1) {
    line += c;
    if (c == '\n') break;
  }
  return line;
}

TEST(CliTrace, AReplayClientSendingJson200000DeepIsAnsweredAndTheReplayFails) {
  ScratchDir dir;
  const auto socket = dir.file("replay.sock");
  Child replay({qmpc_binary(), "trace", "replay", std::string(QMPC_FIXTURES_DIR) + "/transcripts/mirror-pivot.qmpt",
                "--listen", socket});
  const auto started = replay.read_line();
  ASSERT_TRUE(started) << replay.err_so_far();
  const int fd = connect_unix(socket);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  EXPECT_NE(read_line(fd).find("\"QMP\""), std::string::npos);
  const std::string deep = R"({"execute":"qmp_capabilities","arguments":{"a":)" + nested(200000) + "}}\n";
  ASSERT_EQ(::write(fd, deep.data(), deep.size()), static_cast<ssize_t>(deep.size()));
  EXPECT_NE(read_line(fd).find("JSON parse error: nested deeper than 1000 levels (the limit)"), std::string::npos);
  ::close(fd);
  const auto served = replay.wait(10000ms);
  EXPECT_EQ(served.signal, 0);
  EXPECT_EQ(served.exit_code, 1) << served.out << served.err;
  EXPECT_NE(served.out.find("divergence: the client sent JSON nested deeper than 1000 levels (the limit)"),
            std::string::npos)
      << served.out;
}

}  // namespace
