// qmpc run against a real QEMU: scripts of commands and event waits on one connection.
#include "cli_process.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class CliRun : public ::testing::Test {
 protected:
  // Writes `script` to a file and runs `qmpc run FILE` with `options` on monitor 0.
  Outcome run(const Qemu& qemu, const std::string& script, std::vector<std::string> options = {}) {
    const auto path = dir_.file("script-" + std::to_string(++scripts_) + ".qmpc");
    std::ofstream(path) << script;
    std::vector<std::string> args{"-s", qemu.socket(), "run", path};
    args.insert(args.end(), options.begin(), options.end());
    return run_qmpc(args, 60000ms);
  }
  ScratchDir dir_;
  int scripts_ = 0;
};

TEST_F(CliRun, StopsAndContinuesTheVmAndSeesStopAndResume) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu,
               "# pause and resume\n"
               "stop\n"
               "wait-event STOP --for 20\n"
               "\n"
               "{\"execute\": \"cont\"}\n"
               "wait-event RESUME --for 20\n"
               "query-status\n");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 5u) << o.out;
  EXPECT_EQ(lines[0], R"({"step":1,"execute":"stop","return":{}})");
  EXPECT_EQ(lines[1].rfind(R"({"step":2,"event":{"timestamp":{"seconds":)", 0), 0u) << lines[1];
  EXPECT_TRUE(has(lines[1], R"("event":"STOP")")) << lines[1];
  EXPECT_EQ(lines[2], R"({"step":3,"execute":"cont","return":{}})");
  EXPECT_TRUE(has(lines[3], R"({"step":4,"event":{)")) << lines[3];
  EXPECT_TRUE(has(lines[3], R"("event":"RESUME")")) << lines[3];
  EXPECT_TRUE(has(lines[4], R"({"step":5,"execute":"query-status","return":{)")) << lines[4];
  EXPECT_TRUE(has(lines[4], R"("running":true)")) << lines[4];
}

TEST_F(CliRun, EventsThatCameBeforeTheReplyAreMatchedByTheirData) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  // A backup between two null-co nodes runs to its end before QEMU sends the reply to blockdev-backup: every one
  // of its events precedes the reply, and the waits come after it.
  auto o = run(qemu,
               "blockdev-add driver=null-co node-name=n0 size=1048576\n"
               "blockdev-add '{\"driver\": \"null-co\", \"node-name\": \"n1\", \"size\": 1048576}'\n"
               "blockdev-backup job-id=b0 device=n0 target=n1 sync=full\n"
               "wait-event JOB_STATUS_CHANGE id=b0 status=concluded --for 20\n"
               "wait-event BLOCK_JOB_COMPLETED device=b0 type=backup len=1048576 --for 20\n"
               "wait-event JOB_STATUS_CHANGE id=b0 status=created --for 20\n"
               "wait-event 'JOB_*' id=b0 status='\"null\"' --for 20\n");  // the string, not JSON null
  EXPECT_EQ(o.exit_code, 0) << o.err << o.out;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 7u) << o.out;
  EXPECT_EQ(lines[2], R"({"step":3,"execute":"blockdev-backup","return":{}})");
  EXPECT_TRUE(has(lines[3], R"("data":{"status":"concluded","id":"b0"})")) << lines[3];
  EXPECT_TRUE(has(lines[4], R"("event":"BLOCK_JOB_COMPLETED")")) << lines[4];
  EXPECT_TRUE(has(lines[5], R"("data":{"status":"created","id":"b0"})")) << lines[5];
  EXPECT_TRUE(has(lines[6], R"({"step":7,"event":)")) << lines[6];
  EXPECT_TRUE(has(lines[6], R"("status":"null")")) << lines[6];
}

TEST_F(CliRun, AMatchedEventIsConsumed) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu, "stop\nwait-event STOP --for 20\nwait-event STOP --for 0.3\n");
  EXPECT_EQ(o.exit_code, 4) << o.err << o.out;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 3u) << o.out;
  EXPECT_TRUE(has(lines[1], R"("event":"STOP")")) << lines[1];
  EXPECT_EQ(lines[2], R"({"step":3,"wait-event":"STOP","error":{"class":"Timeout","desc":"no STOP event within 0.3 s"}})");
}

TEST_F(CliRun, AnErrorStopsTheScript) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu, "query-status\nblock-job-cancel device=nope\nstop\n");
  EXPECT_EQ(o.exit_code, 1) << o.err;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 2u) << o.out;
  EXPECT_EQ(lines[1].rfind(R"({"step":2,"execute":"block-job-cancel","error":{"class":"DeviceNotActive","desc":")", 0),
            0u)
      << lines[1];
  EXPECT_TRUE(has(o.err, "qmpc: DeviceNotActive: ")) << o.err;
  // stop never ran.
  auto status = run_qmpc({"-s", qemu.socket(), "exec", "query-status"});
  EXPECT_TRUE(has(status.out, R"("running":true)")) << status.out;
}

TEST_F(CliRun, AWaitThatTimesOutExitsFour) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu, "stop\nwait-event RESUME --for 0.5\ncont\n");
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 2u) << o.out;
  EXPECT_EQ(lines[1],
            R"({"step":2,"wait-event":"RESUME","error":{"class":"Timeout","desc":"no RESUME event within 0.5 s"}})");
  EXPECT_TRUE(has(o.err, "step 2 (wait-event RESUME): no RESUME event within 0.5 s")) << o.err;
}

TEST_F(CliRun, ADataMismatchIsNoMatch) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu,
               "blockdev-add driver=null-co node-name=n0 size=1048576\n"
               "blockdev-add driver=null-co node-name=n1 size=1048576\n"
               "blockdev-backup job-id=b0 device=n0 target=n1 sync=full\n"
               "wait-event JOB_STATUS_CHANGE id=b1 --for 0.3\n");
  EXPECT_EQ(o.exit_code, 4) << o.err << o.out;
  EXPECT_TRUE(has(o.out, R"(no JOB_STATUS_CHANGE with id=\"b1\" event within 0.3 s)")) << o.out;
}

TEST_F(CliRun, KeepGoingRunsEveryStepAndExitsWithTheFirstFailure) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu, "wait-event RESUME --for 0.2\nno-such-command\nstop\nwait-event STOP --for 20\n",
               {"--keep-going"});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 4u) << o.out;
  EXPECT_TRUE(has(lines[0], R"("class":"Timeout")")) << lines[0];
  EXPECT_TRUE(has(lines[1], R"({"step":2,"execute":"no-such-command","error":{"class":"CommandNotFound")")) << lines[1];
  EXPECT_EQ(lines[2], R"({"step":3,"execute":"stop","return":{}})");
  EXPECT_TRUE(has(lines[3], R"("event":"STOP")")) << lines[3];
}

TEST_F(CliRun, AnInvalidScriptSendsNothing) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu, "stop\n\nwait-event --for 3\n");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_TRUE(has(o.err, "line 3: wait-event needs an event name")) << o.err;
  EXPECT_TRUE(has(o.err, "nothing was sent")) << o.err;
  auto status = run_qmpc({"-s", qemu.socket(), "exec", "query-status"});
  EXPECT_TRUE(has(status.out, R"("running":true)")) << status.out;
}

TEST_F(CliRun, AMissingFileIsNamed) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "run", dir_.file("absent.qmpc")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(has(o.err, "cannot read " + dir_.file("absent.qmpc") + ": No such file or directory")) << o.err;
}

TEST_F(CliRun, ReadsStandardInput) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run_program({"/bin/sh", "-c",
                        "printf 'stop\\nwait-event STOP --for 20\\n' | \"$0\" -s \"$1\" run -", qmpc_binary(),
                        qemu.socket()},
                       60000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 2u) << o.out;
  EXPECT_TRUE(has(lines[1], R"("event":"STOP")")) << lines[1];
}

TEST_F(CliRun, OutOfBandCommands) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  // QEMU 7.2 offers oob on a -qmp socket; query-status is not allowed out of band, x-oob-test... is not built in
  // Debian, so the oob command here is the one QEMU allows everywhere: migrate-pause fails for lack of a migration.
  auto o = run(qemu, "{\"exec-oob\": \"migrate-pause\"}\nquery-status\n", {"--keep-going"});
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 2u) << o.out << o.err;
  EXPECT_TRUE(has(lines[0], R"({"step":1,"execute":"migrate-pause","error":{"class":"GenericError")")) << lines[0];
  EXPECT_FALSE(has(lines[0], "not negotiated")) << lines[0];
  EXPECT_TRUE(has(lines[1], R"("running":true)")) << lines[1];
}

TEST_F(CliRun, HmpThroughHumanMonitorCommand) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  auto o = run(qemu, "human-monitor-command command-line='info status'\n");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "{\"step\":1,\"execute\":\"human-monitor-command\",\"return\":\"VM status: running\\r\\n\"}\n");
}

}  // namespace
