// qmpc launch: foreground and detached QEMU, early exits, binaries that do not exist.
#include "cli_process.hpp"
#include "listening_socket.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

// {"pid":N,"socket":"PATH"} -> (N, PATH); (-1, "") when the line has another shape.
std::pair<int, std::string> parse_launch_line(const std::string& line) {
  int pid = -1;
  std::string socket;
  if (std::sscanf(line.c_str(), R"({"pid":%d,"socket":")", &pid) != 1) return {-1, {}};
  const auto s = line.find(R"("socket":")");
  if (s == std::string::npos) return {-1, {}};
  socket = line.substr(s + 10, line.rfind('"') - (s + 10));
  return {pid, socket};
}

bool process_gone(int pid, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::kill(pid, 0) != 0) return true;
    // A zombie whose parent is gone is reaped by init soon; /proc tells the state.
    std::error_code ec;
    if (!std::filesystem::exists("/proc/" + std::to_string(pid), ec)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(CliLaunch, DetachPrintsPidAndSocketAndLeavesQemuRunning) {
  REQUIRE_QEMU();
  auto o = run_qmpc({"launch", "--detach"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto [pid, socket] = parse_launch_line(o.out.substr(0, o.out.find('\n')));
  ASSERT_GT(pid, 0) << o.out;
  ASSERT_FALSE(socket.empty()) << o.out;
  struct stat st {};
  ASSERT_EQ(stat(std::filesystem::path(socket).parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto status = run_qmpc({"-s", socket, "exec", "query-status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  auto quit = run_qmpc({"-s", socket, "exec", "quit"});
  EXPECT_EQ(quit.exit_code, 0) << quit.err;
  EXPECT_EQ(quit.out, "{}\n");
  EXPECT_TRUE(process_gone(pid, 10000ms));
  // Nothing is left behind: the private directory goes once QEMU has exited.
  const auto dir = std::filesystem::path(socket).parent_path();
  std::error_code ec;
  for (int i = 0; i < 500 && std::filesystem::exists(dir, ec); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(std::filesystem::exists(dir, ec)) << dir;
  std::filesystem::remove_all(dir, ec);
}

TEST(CliLaunch, ALiveSocketIsNotTakenOver) {
  ScratchDir dir;
  const auto path = dir.file("live.sock");
  const int listener = listening_socket(path);
  auto o = run_qmpc({"launch", "--socket", path, "--detach"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("another program listens"), std::string::npos) << o.err;
  EXPECT_EQ(o.out, "");
  EXPECT_TRUE(std::filesystem::is_socket(path));
  EXPECT_TRUE(accepts_a_connection(listener)) << "the listener lost its socket";
  ::close(listener);

  const auto file = dir.file("not-a-socket");
  { std::ofstream(file) << "keep"; }
  auto f = run_qmpc({"launch", "--socket", file, "--detach"});
  EXPECT_EQ(f.exit_code, 2) << f.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(file));
}

TEST(CliLaunch, DetachOnAChosenSocketWithQemuArguments) {
  REQUIRE_QEMU();
  ScratchDir dir;
  const auto socket = dir.file("vm.qmp");
  auto o = run_qmpc({"launch", "--detach", "--socket", socket, "--", "-blockdev",
                     "driver=null-co,node-name=extra0"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto [pid, printed] = parse_launch_line(o.out.substr(0, o.out.find('\n')));
  EXPECT_EQ(printed, socket);
  auto nodes = run_qmpc({"-s", socket, "exec", "query-named-block-nodes"});
  EXPECT_NE(nodes.out.find("extra0"), std::string::npos) << nodes.out << nodes.err;
  run_qmpc({"-s", socket, "exec", "quit"});
  EXPECT_TRUE(process_gone(pid, 10000ms));
}

TEST(CliLaunch, ForegroundExitsWithQemusExitCode) {
  REQUIRE_QEMU();
  Child launch({qmpc_binary(), "launch"});
  auto line = launch.read_line(20000ms);
  ASSERT_TRUE(line) << launch.err_so_far();
  auto [pid, socket] = parse_launch_line(*line);
  ASSERT_GT(pid, 0) << *line;
  auto quit = run_qmpc({"-s", socket, "exec", "quit"});
  auto o = launch.wait(20000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(std::filesystem::exists(socket)) << "the private directory is removed";
}

TEST(CliLaunch, ForegroundPassesSigtermOn) {
  REQUIRE_QEMU();
  Child launch({qmpc_binary(), "launch"});
  auto line = launch.read_line(20000ms);
  ASSERT_TRUE(line) << launch.err_so_far();
  auto [pid, socket] = parse_launch_line(*line);
  launch.signal(SIGTERM);
  auto o = launch.wait(20000ms);
  EXPECT_FALSE(o.timed_out);
  EXPECT_NE(o.exit_code, -1) << "qmpc itself must not die of the signal";
  EXPECT_TRUE(process_gone(pid, 5000ms));
  // qmpc exits with QEMU's status: 0 when QEMU handled the signal and quit, 128 + 15 when the signal killed it
  // (QEMU 7.2 does either, depending on when the signal lands).
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 128 + SIGTERM) << "exit " << o.exit_code << ": " << o.err;
}

TEST(CliLaunch, QemuThatExitsEarlyExitsThreeWithItsStderr) {
  REQUIRE_QEMU();
  auto o = run_qmpc({"launch", "--", "-no-such-option"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("-no-such-option"), std::string::npos) << o.err;
}

// What QEMU writes on stderr once it is up reaches the terminal escaped: newlines kept, an ESC or BEL (which would
// retitle the terminal) and invalid UTF-8 shown as \xHH. The stand-in runs the real QEMU and, once the test says
// the launch line was read, writes such bytes on the stderr it shares with QEMU.
TEST(CliLaunch, QemuStderrIsForwardedEscaped) {
  REQUIRE_QEMU();
  ScratchDir dir;
  const std::string go = dir.file("go");
  const std::string printed = dir.file("printed");
  const std::string wrapper = dir.file("qemu-wrapper");
  {
    std::ofstream w(wrapper);
    w << "#!/bin/sh\n"
      << "(n=0; while [ ! -e '" << go << "' ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done\n"
      << " printf 'qemu: \\033]0;pwned\\007 ok \\377\\n' >&2; touch '" << printed << "') &\n"
      << "exec '" << qemu_tool("qemu-system-x86_64") << "' \"$@\"\n";
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  Child launch({qmpc_binary(), "launch", "--qemu", wrapper});
  auto line = launch.read_line(20000ms);
  ASSERT_TRUE(line) << launch.err_so_far();
  auto [pid, socket] = parse_launch_line(*line);
  ASSERT_GT(pid, 0) << *line;
  std::ofstream{go};
  for (int i = 0; i < 400 && !std::filesystem::exists(printed); ++i) std::this_thread::sleep_for(25ms);
  ASSERT_TRUE(std::filesystem::exists(printed));
  auto quit = run_qmpc({"-s", socket, "exec", "quit"});
  auto o = launch.wait(20000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("qemu: \\x1b]0;pwned\\x07 ok \\xff\n"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find('\x1b'), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find('\x07'), std::string::npos) << o.err;
}

TEST(CliLaunch, MissingBinaryExitsOne) {
  auto o = run_qmpc({"launch", "--qemu", "/nonexistent/qemu-system-x86_64"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("/nonexistent/qemu-system-x86_64"), std::string::npos) << o.err;
}

}  // namespace
