// qmpc events against a real QEMU with two monitors: qmpc listens on one, the test drives QEMU through the other.
#include "cli_process.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

// Runs a command on monitor 1 of `qemu`.
void exec(const Qemu& qemu, std::vector<std::string> words) {
  std::vector<std::string> args{"-s", qemu.socket(1), "exec"};
  args.insert(args.end(), words.begin(), words.end());
  auto o = run_qmpc(args);
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

// Waits until QEMU is past its start-up: a client that connects the instant QEMU starts can get the start-up RESUME
// (even before the greeting). Once one command has been answered on monitor 0 that event has gone out.
void wait_until_started(const Qemu& qemu) {
  auto o = run_qmpc({"-s", qemu.socket(0), "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

// Starts `qmpc events` on monitor 0 once QEMU is past its start-up, so that only the events a test causes are seen.
std::unique_ptr<Child> start_events(const Qemu& qemu, std::vector<std::string> options) {
  wait_until_started(qemu);
  std::vector<std::string> argv{qmpc_binary(), "-s", qemu.socket(0), "events"};
  argv.insert(argv.end(), options.begin(), options.end());
  return std::make_unique<Child>(argv);
}

std::string event_name(const std::string& line) {
  const auto key = line.find(R"("event":")");
  if (key == std::string::npos) return {};
  const auto start = key + 9;
  return line.substr(start, line.find('"', start) - start);
}

// Waits until the events client holds monitor 0: QEMU greets a second client only after the first leaves, so a
// probe that cannot connect within its timeout proves it.
void wait_until_connected(const Qemu& qemu) {
  for (int i = 0; i < 100; ++i) {
    auto probe = run_qmpc({"--connect-timeout", "0.2", "-s", qemu.socket(0), "exec", "query-status"}, 10000ms);
    if (probe.exit_code != 0) return;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "qmpc events never connected";
}

TEST(CliEvents, PrintsWholeEventsInWireOrderAndStopsAfterCount) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {"--count", "3"});
  wait_until_connected(qemu);
  exec(qemu, {"stop"});
  exec(qemu, {"cont"});
  exec(qemu, {"stop"});
  auto o = events->wait(20000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  std::vector<std::string> lines;
  for (std::size_t p = 0, nl; (nl = o.out.find('\n', p)) != std::string::npos; p = nl + 1)
    lines.push_back(o.out.substr(p, nl - p));
  ASSERT_EQ(lines.size(), 3u) << o.out;
  EXPECT_EQ(event_name(lines[0]), "STOP");
  EXPECT_EQ(event_name(lines[1]), "RESUME");
  EXPECT_EQ(event_name(lines[2]), "STOP");
  for (const auto& l : lines) {
    EXPECT_EQ(l.rfind(R"({"timestamp":{"seconds":)", 0), 0u) << l;  // the whole message, compact
    EXPECT_EQ(l.find(' '), std::string::npos) << l;
  }
}

TEST(CliEvents, NameFilterAndFor) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {"--name", "RESUME", "--for", "3"});
  wait_until_connected(qemu);
  exec(qemu, {"stop"});
  exec(qemu, {"cont"});
  exec(qemu, {"stop"});
  auto o = events->wait(20000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << o.out;
  EXPECT_EQ(event_name(o.out), "RESUME");
}

TEST(CliEvents, ForWithoutEventsEndsQuietly) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  wait_until_started(qemu);
  auto o = run_qmpc({"-s", qemu.socket(), "events", "--for", "0.3"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "");
  EXPECT_GE(o.elapsed, 300ms);
}

TEST(CliEvents, ShutdownThenEndOfConnectionExitsZero) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {});
  wait_until_connected(qemu);
  auto quit = run_qmpc({"-s", qemu.socket(1), "exec", "quit"});
  EXPECT_EQ(quit.exit_code, 0) << quit.err;
  auto o = events->wait(20000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(event_name(o.out), "SHUTDOWN") << o.out;
  EXPECT_NE(o.out.find("host-qmp-quit"), std::string::npos) << o.out;
}

TEST(CliEvents, ShutdownEndsEvenWhenFilteredOut) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {"--name", "BLOCK_JOB_READY"});
  wait_until_connected(qemu);
  run_qmpc({"-s", qemu.socket(1), "exec", "quit"});
  auto o = events->wait(20000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "");
}

TEST(CliEvents, LostConnectionExitsThree) {
  REQUIRE_QEMU();
  Qemu qemu(1);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {});
  // Connected once a second client cannot get in; QEMU has one monitor here, so probe it and give up quickly.
  wait_until_connected(qemu);
  qemu.kill(SIGKILL);
  auto o = events->wait(20000ms);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("qmpc: waiting for events: connection to unix:" + qemu.socket(0) + " lost"), std::string::npos)
      << o.err;
}

TEST(CliEvents, SigtermExits130) {
  REQUIRE_QEMU();
  Qemu qemu(1);
  auto events = start_events(qemu, {});
  wait_until_connected(qemu);
  events->signal(SIGTERM);
  auto o = events->wait(10000ms);
  EXPECT_EQ(o.exit_code, 130) << o.err;
}

TEST(CliEvents, SigintEndsQuietly) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {});
  wait_until_connected(qemu);
  events->signal(SIGINT);
  auto o = events->wait(10000ms);
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_EQ(o.err, "");
}

TEST(CliEvents, NamePatternsWithoutCase) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {"--name", "st*", "--name", "NOTHING", "--no-case", "--count", "2", "--for", "20"});
  wait_until_connected(qemu);
  exec(qemu, {"stop"});
  exec(qemu, {"cont"});
  exec(qemu, {"stop"});
  auto o = events->wait(30000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  std::vector<std::string> lines;
  for (std::size_t p = 0, nl; (nl = o.out.find('\n', p)) != std::string::npos; p = nl + 1)
    lines.push_back(o.out.substr(p, nl - p));
  ASSERT_EQ(lines.size(), 2u) << o.out;
  EXPECT_EQ(event_name(lines[0]), "STOP");
  EXPECT_EQ(event_name(lines[1]), "STOP");
}

TEST(CliEvents, PatternsKeepCaseByDefault) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {"--name", "stop", "--name", "RES*", "--count", "1", "--for", "20"});
  wait_until_connected(qemu);
  exec(qemu, {"stop"});
  exec(qemu, {"cont"});
  auto o = events->wait(30000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(event_name(o.out), "RESUME") << o.out;
}

TEST(CliEvents, MatchOnData) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {"--name", "JOB_STATUS_CHANGE", "--match", "id=b0", "--match", "status=concluded",
                                    "--count", "1", "--for", "20"});
  wait_until_connected(qemu);
  exec(qemu, {"blockdev-add", "driver=null-co", "node-name=n0", "size=1048576"});
  exec(qemu, {"blockdev-add", "driver=null-co", "node-name=n1", "size=1048576"});
  exec(qemu, {"blockdev-backup", "job-id=b0", "device=n0", "target=n1", "sync=full"});
  auto o = events->wait(30000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << o.out;
  EXPECT_NE(o.out.find(R"("data":{"status":"concluded","id":"b0"})"), std::string::npos) << o.out;
}

TEST(CliEvents, CountNotReachedInTimeExitsFour) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  wait_until_started(qemu);
  auto o = run_qmpc({"-s", qemu.socket(), "events", "--name", "RESUME", "--count", "1", "--for", "0.3"});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("0 of 1 RESUME events within 0.3 s"), std::string::npos) << o.err;
}

TEST(CliEvents, ReadableTimestamps) {
  REQUIRE_QEMU();
  Qemu qemu(2);
  ASSERT_TRUE(qemu.ok());
  auto events = start_events(qemu, {"--timestamp", "--count", "1", "--for", "20"});
  wait_until_connected(qemu);
  exec(qemu, {"stop"});
  auto o = events->wait(30000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // 2026-12-02T04:38:22.773925Z {"timestamp":...,"event":"STOP"}
  ASSERT_GT(o.out.size(), 28u) << o.out;
  EXPECT_EQ(o.out[4], '-') << o.out;
  EXPECT_EQ(o.out[10], 'T') << o.out;
  EXPECT_EQ(o.out.substr(26, 3), "Z {") << o.out;
  EXPECT_EQ(event_name(o.out), "STOP") << o.out;
}

}  // namespace
