// qmpc launch --proxy PATH: QEMU launched with a proxy of its monitor in the same process, against real QEMU.
#include "cli_process.hpp"

#include "qmp/json.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

TEST(CliLaunchProxy, ClientsShareTheMonitorAndQuitThroughOneEndsItAll) {
  REQUIRE_QEMU();
  ScratchDir dir;
  const std::string proxy = dir.file("vm.proxy");
  const std::string trace = dir.file("vm.qmpt");
  Child launch({qmpc_binary(), "--trace", trace, "launch", "--proxy", proxy});
  auto line = launch.read_line(20000ms);
  ASSERT_TRUE(line) << launch.err_so_far();
  auto doc = qmp::json::parse_object(*line);
  ASSERT_TRUE(doc) << *line;
  EXPECT_EQ(qmp::json::get_string(*doc, "proxy"), proxy) << *line;
  const std::string socket(qmp::json::get_string(*doc, "socket").value_or(""));
  ASSERT_FALSE(socket.empty()) << *line;
  ASSERT_TRUE(std::filesystem::exists(proxy)) << "listening once the line is printed";

  // One client stays connected for the events while others come and go: it is connected once it prints the
  // STOP caused now.
  Child events({qmpc_binary(), "-s", proxy, "events", "--name", "STOP", "--name", "SHUTDOWN"});
  std::optional<std::string> stop;
  for (int i = 0; i < 100 && !stop; ++i) {
    ASSERT_EQ(run_qmpc({"-s", proxy, "exec", "stop"}).exit_code, 0);
    ASSERT_EQ(run_qmpc({"-s", proxy, "exec", "cont"}).exit_code, 0);
    stop = events.read_line(200ms);
  }
  ASSERT_TRUE(stop);
  EXPECT_NE(stop->find(R"("event":"STOP")"), std::string::npos) << *stop;
  auto name = run_qmpc({"-s", proxy, "exec", "query-name"});
  EXPECT_EQ(name.exit_code, 0) << name.err;
  auto quit = run_qmpc({"-s", proxy, "exec", "quit"});
  EXPECT_EQ(quit.exit_code, 0) << quit.err;

  auto o = launch.wait(20000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;  // QEMU's own: quit
  EXPECT_FALSE(std::filesystem::exists(proxy)) << "the proxy's socket is removed";
  EXPECT_FALSE(std::filesystem::exists(socket)) << "QEMU's private directory is removed";
  auto e = events.wait(20000ms);
  EXPECT_EQ(e.exit_code, 0) << e.err;  // saw the monitor close after SHUTDOWN
  EXPECT_NE(e.out.find(R"("event":"SHUTDOWN")"), std::string::npos) << e.out;
  // --trace recorded the proxy's traffic, tagged by client.
  auto shown = run_qmpc({"trace", "show", trace});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find(R"(] {"execute":"quit","id":)"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(R"(] {"execute":"query-name","id":)"), std::string::npos) << shown.out;
  auto check = run_qmpc({"trace", "check", trace});
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

TEST(CliLaunchProxy, SigtermReachesQemuAndTheProxyEndsWithIt) {
  REQUIRE_QEMU();
  ScratchDir dir;
  const std::string proxy = dir.file("vm.proxy");
  Child launch({qmpc_binary(), "launch", "--proxy", proxy});
  auto line = launch.read_line(20000ms);
  ASSERT_TRUE(line) << launch.err_so_far();
  ASSERT_EQ(run_qmpc({"-s", proxy, "exec", "query-status"}).exit_code, 0);
  launch.signal(SIGTERM);
  auto o = launch.wait(20000ms);
  EXPECT_FALSE(o.timed_out);
  // QEMU's status: 0 when it handled the signal and quit, 128 + 15 when the signal killed it.
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 128 + SIGTERM) << "exit " << o.exit_code << ": " << o.err;
  EXPECT_FALSE(std::filesystem::exists(proxy));
}

TEST(CliLaunchProxy, RefusesDetachAndALiveSocketBeforeQemuStarts) {
  ScratchDir dir;
  auto o = run_qmpc({"launch", "--proxy", dir.file("p.sock"), "--detach"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("--proxy cannot go with --detach"), std::string::npos) << o.err;
  EXPECT_EQ(o.out, "");
  const std::string file = dir.file("not-a-socket");
  { std::ofstream(file) << "x"; }
  auto f = run_qmpc({"launch", "--proxy", file});
  EXPECT_EQ(f.exit_code, 2) << f.err;
  EXPECT_NE(f.err.find("cannot listen on '" + file + "'"), std::string::npos) << f.err;
  EXPECT_EQ(f.out, "");
  EXPECT_TRUE(std::filesystem::exists(file));
}

}  // namespace
