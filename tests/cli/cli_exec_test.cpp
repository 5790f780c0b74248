// qmpc exec against a real QEMU (and a fake monitor for what QEMU will not do): results, QMP errors, connection
// failures, deadlines, interruption, transcripts.
#include "cli_process.hpp"
#include "fake_monitor.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

TEST(CliExec, PrintsTheReturnValueAsOneJsonLine) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << o.out;
  EXPECT_NE(o.out.find(R"("status":)"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.front(), '{');
}

TEST(CliExec, PrettyIndents) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"exec", "query-status", "--pretty", "--socket", "unix:" + qemu.socket()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_GT(std::count(o.out.begin(), o.out.end(), '\n'), 2) << o.out;
  EXPECT_NE(o.out.find("\n  \"status\": "), std::string::npos) << o.out;
}

TEST(CliExec, KeyValueAndJsonArgumentsReachQemu) {
  REQUIRE_QEMU();
  Qemu qemu;
  const auto s = qemu.socket();
  auto add = run_qmpc({"-s", s, "exec", "blockdev-add", "driver=null-co", "node-name=n0", "size=1048576",
                       "read-zeroes=true"});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, "{}\n");
  auto add_json = run_qmpc({"-s", s, "exec", "blockdev-add",
                            R"({"driver": "raw", "node-name": "r0", "file": "n0"})"});
  EXPECT_EQ(add_json.exit_code, 0) << add_json.err;
  auto nested = run_qmpc({"-s", s, "exec", "blockdev-add", "driver=raw", "node-name=r1", "file.driver=null-co",
                          "file.size=2097152"});
  EXPECT_EQ(nested.exit_code, 0) << nested.err;
  auto q = run_qmpc({"-s", s, "exec", "query-named-block-nodes", "flat=true"});
  EXPECT_EQ(q.exit_code, 0) << q.err;
  for (const char* name : {R"("node-name":"n0")", R"("node-name":"r0")", R"("node-name":"r1")"})
    EXPECT_NE(q.out.find(name), std::string::npos) << name << " in " << q.out;
  EXPECT_NE(q.out.find(R"("virtual-size":2097152)"), std::string::npos) << q.out;
}

TEST(CliExec, QmpErrorExitsOneWithClassAndDesc) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "exec", "no-such-command"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "qmpc: CommandNotFound: The command no-such-command has not been found\n");
  auto g = run_qmpc({"-s", qemu.socket(), "exec", "blockdev-add", "driver=null-co"});
  EXPECT_EQ(g.exit_code, 1);
  EXPECT_EQ(g.err, "qmpc: GenericError: 'node-name' must be specified for the root node\n");
  auto d = run_qmpc({"-s", qemu.socket(), "exec", "block-job-cancel", "device=nojob"});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_EQ(d.err, "qmpc: DeviceNotActive: Block job 'nojob' not found\n");
}

TEST(CliExec, SocketFromTheEnvironment) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"exec", "query-version"}, 30000ms, {"QMPC_SOCKET=" + qemu.socket()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find(R"("qemu":)"), std::string::npos) << o.out;
}

TEST(CliExec, UnknownSocketExitsThreeAfterTheConnectTimeout) {
  ScratchDir dir;
  const auto missing = dir.file("missing.sock");
  auto o = run_qmpc({"--connect-timeout", "0.5", "-s", missing, "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("qmpc: cannot connect to unix:" + missing), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("check"), std::string::npos) << o.err;
  EXPECT_GE(o.elapsed, 250ms);  // it kept retrying instead of failing at once
}

TEST(CliExec, KeepsRetryingUntilTheSocketAppears) {
  REQUIRE_QEMU();
  ScratchDir dir;
  const auto path = dir.file("late.sock");
  Child client({qmpc_binary(), "--connect-timeout", "20", "-s", path, "exec", "query-status"});
  std::this_thread::sleep_for(300ms);
  Child qemu({qemu_tool("qemu-system-x86_64"), "-M", "none", "-nodefaults", "-display", "none", "-qmp",
              "unix:" + path + ",server=on,wait=off"});
  auto o = client.wait(30000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("status"), std::string::npos);
}

TEST(CliExec, NoReplyWithinTimeoutExitsFour) {
  ScratchDir dir;
  const auto path = dir.file("silent.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) { s.handshake().ignore_forever(); });
  auto o = run_qmpc({"--timeout", "0.3", "-s", path, "exec", "query-status", "--no-validate"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find("query-status"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("--timeout"), std::string::npos) << o.err;
}

TEST(CliExec, MalformedDataFromTheMonitorExitsThree) {
  ScratchDir dir;
  const auto path = dir.file("garbage.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.handshake().expect("query-status", "").send_raw("this is not json\r\n").ignore_forever();
  });
  auto o = run_qmpc({"--timeout", "10", "-s", path, "exec", "query-status", "--no-validate"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("qmpc: query-status: "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("this is not json"), std::string::npos) << o.err;
}

// QEMU 5.2 was seen greeting a client twice (under load, the client having connected right after another left):
// the second greeting is ignored without a word on standard error, which keeps only the result.
TEST(CliExec, ASecondGreetingIsIgnoredQuietly) {
  ScratchDir dir;
  const auto path = dir.file("twice.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.send_greeting()
        .handshake()
        .expect("query-status", R"({"return": {"status": "running", "running": true}, "id": $ID})")
        .ignore_forever();
  });
  auto o = run_qmpc({"-s", path, "exec", "query-status", "--no-validate"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "{\"status\":\"running\",\"running\":true}\n");
  EXPECT_EQ(o.err, "");
}

TEST(CliExec, NotAQmpMonitorExitsThree) {
  ScratchDir dir;
  const auto path = dir.file("hmp.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.send_raw("QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) ").ignore_forever();
  });
  auto o = run_qmpc({"-s", path, "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("qmpc: "), std::string::npos) << o.err;
}

TEST(CliExec, ConnectionLostBeforeTheReplyExitsThree) {
  ScratchDir dir;
  const auto path = dir.file("lost.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) { s.handshake().expect("quit", "").close(); });
  auto o = run_qmpc({"-s", path, "exec", "quit", "--no-validate"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("lost"), std::string::npos) << o.err;
}

TEST(CliExec, SigintWhileWaitingExits130) {
  ScratchDir dir;
  const auto path = dir.file("slow.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) { s.handshake().ignore_forever(); });
  Child c({qmpc_binary(), "-s", path, "exec", "query-status", "--no-validate"});
  std::this_thread::sleep_for(500ms);
  c.signal(SIGINT);
  auto o = c.wait(10000ms);
  EXPECT_EQ(o.exit_code, 130) << o.err;
}

TEST(CliExec, TraceWritesAPrivateTranscript) {
  REQUIRE_QEMU();
  Qemu qemu;
  ScratchDir dir;
  const auto trace = dir.file("t.qmpt");
  auto o = run_qmpc({"-s", qemu.socket(), "--trace", trace, "exec", "query-status"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  struct stat st {};
  ASSERT_EQ(stat(trace.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(trace);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(R"("qmp-transcript":1)"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find(R"("execute":"query-status")"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("to-qemu"), std::string::npos);
  EXPECT_NE(text.str().find("from-qemu"), std::string::npos);

  auto bad = run_qmpc({"-s", qemu.socket(), "--trace", dir.file("no/such/dir/t.qmpt"), "exec", "query-status"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--trace"), std::string::npos) << bad.err;
}

// A port nothing listens on right now (the kernel's choice for an ephemeral bind).
int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

TEST(CliExec, TcpAddress) {
  REQUIRE_QEMU();
  const int port = free_tcp_port();
  ASSERT_GT(port, 0);
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  Child qemu({qemu_tool("qemu-system-x86_64"), "-M", "none", "-nodefaults", "-display", "none", "-qmp",
              "tcp:" + addr + ",server=on,wait=off"});
  auto o = run_qmpc({"-s", "tcp:" + addr, "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("status"), std::string::npos);
}

TEST(CliExec, LogLevelControlsStderr) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto debug = run_qmpc({"--log-level", "trace", "-s", qemu.socket(), "exec", "query-status"});
  EXPECT_EQ(debug.exit_code, 0);
  EXPECT_NE(debug.err.find("query-status"), std::string::npos) << "trace logs each message: " << debug.err;
  ScratchDir dir;
  auto quiet = run_qmpc({"--log-level", "off", "--connect-timeout", "0", "-s", dir.file("x.sock"), "exec", "q"});
  EXPECT_EQ(quiet.exit_code, 3);
  EXPECT_EQ(std::count(quiet.err.begin(), quiet.err.end(), '\n'), 1) << "only qmpc's own error line: " << quiet.err;
}

TEST(CliExec, SaysItWaitsForASocketThatIsNotThereYet) {
  ScratchDir dir;
  const auto missing = dir.file("later.sock");
  auto o = run_qmpc({"--connect-timeout", "1.5", "-s", missing, "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("qmpc: waiting for the socket " + missing + " to appear; retrying for up to 1.5 s"),
            std::string::npos)
      << o.err;
}

TEST(CliExec, SaysAnotherClientMayHoldTheMonitor) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  Child holder({qmpc_binary(), "-s", qemu.socket(), "events"});
  // The holder has the monitor once a probe gets no greeting.
  bool held = false;
  for (int i = 0; i < 100 && !held; ++i) {
    held = run_qmpc({"--connect-timeout", "0.2", "-s", qemu.socket(), "exec", "query-status"}).exit_code != 0;
    if (!held) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(held);
  auto o = run_qmpc({"--connect-timeout", "1.5", "-s", qemu.socket(), "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.err.find("qmpc: waiting for the QMP greeting from " + qemu.socket() +
                       ": another client may hold the monitor"),
            std::string::npos)
      << o.err;
}

}  // namespace
