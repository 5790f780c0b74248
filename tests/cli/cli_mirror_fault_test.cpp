// qmpc mirror against a fake monitor that stops answering: --timeout bounds the whole run (plus --abort-grace),
// and a second SIGINT while the abort is under way exits at once, saying what was left in QEMU.
#include "cli_process.hpp"
#include "fake_monitor.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

namespace {

using namespace qmpc_cli_test;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr const char* kJobCommands =
    R"({"return": [{"name": "drive-mirror"}, {"name": "job-complete"}, {"name": "block-job-cancel"}], "id": $ID})";

// Answers up to the start command, then `rest`.
void started(qmpc_test::ScriptedServer& s) {
  s.handshake()
      .expect("query-commands", kJobCommands)
      .expect("drive-mirror", "")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "running", "id": "job0"})")
      .send_line(R"({"return": {}, "id": $ID})");
}

std::vector<std::string> mirror_args(const std::string& socket, std::vector<std::string> more) {
  std::vector<std::string> a = {"-s", socket, "mirror", "--device", "disk0", "--target", "/nonexistent/t.qcow2",
                                "--job-id", "job0", "--pivot", "--no-progress"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

TEST(CliMirrorFaults, AStartCommandNeverAnsweredEndsWithinTimeoutAndGrace) {
  ScratchDir dir;
  const auto path = dir.file("qmp.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.handshake().expect("query-commands", kJobCommands).expect("drive-mirror", "").ignore_forever();
  });
  auto o = run_qmpc(mirror_args(path, {"--timeout", "2", "--abort-grace", "1"}), 30000ms);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_LT(duration_cast<milliseconds>(o.elapsed).count(), 2000 + 1000 + 2000) << o.err;
  EXPECT_NE(o.err.find("--timeout 2 s"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("did not answer drive-mirror"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("may exist in QEMU"), std::string::npos) << o.err;
}

TEST(CliMirrorFaults, ACancelNeverAnsweredEndsWithinTimeoutAndGrace) {
  ScratchDir dir;
  const auto path = dir.file("qmp.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    started(s);
    s.expect("block-job-cancel", "").ignore_forever();
  });
  auto o = run_qmpc(mirror_args(path, {"--timeout", "1", "--abort-grace", "1"}), 30000ms);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_LT(duration_cast<milliseconds>(o.elapsed).count(), 1000 + 1000 + 2000) << o.err;
  EXPECT_NE(o.err.find("job job0 was left running, with a cancel sent, in QEMU"), std::string::npos) << o.err;
}

TEST(CliMirrorFaults, ASecondSigintWhileAbortingExitsAtOnceSayingWhatWasLeft) {
  ScratchDir dir;
  const auto path = dir.file("qmp.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    started(s);
    s.expect("block-job-cancel", "").ignore_forever();
  });
  Child c([&] {
    auto a = mirror_args(path, {"--json"});
    a.insert(a.begin(), qmpc_binary());
    return a;
  }());
  for (;;) {
    auto line = c.read_line(20000ms);
    ASSERT_TRUE(line) << c.err_so_far();
    if (line->find(R"("to":"running")") != std::string::npos) break;
  }
  c.signal(SIGINT);
  std::this_thread::sleep_for(300ms);  // the cancel is sent and never answered (the abort grace is 5 s)
  const auto second = std::chrono::steady_clock::now();
  c.signal(SIGINT);
  auto o = c.wait(20000ms);
  EXPECT_LT(duration_cast<milliseconds>(std::chrono::steady_clock::now() - second).count(), 2000);
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_NE(o.err.find("interrupted again"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("job job0 was left running, with a cancel sent, in QEMU"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("block-job-cancel device=job0 force=true"), std::string::npos) << o.err;
  EXPECT_NE(o.out.find(R"("result":"interrupted")"), std::string::npos) << o.out;
}

}  // namespace
