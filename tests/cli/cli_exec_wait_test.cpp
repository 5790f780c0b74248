// qmpc exec against a real QEMU: --wait-event with --match, raw command objects on the command line and stdin,
// --full.
#include "cli_process.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t line_count(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

void add_null_nodes(const Qemu& qemu) {
  for (const char* name : {"n0", "n1"}) {
    auto o = run_qmpc({"-s", qemu.socket(), "exec", "blockdev-add", "driver=null-co", std::string("node-name=") + name,
                       "size=1048576"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
}

TEST(CliExecWait, PrintsTheReturnThenTheMatchingEventEvenWhenItCameBeforeTheReply) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  add_null_nodes(qemu);
  // The job (null-co to null-co) ends before QEMU replies to blockdev-backup.
  auto o = run_qmpc({"-s", qemu.socket(), "exec", "blockdev-backup", "job-id=b0", "device=n0", "target=n1",
                     "sync=full", "--wait-event", "JOB_STATUS_CHANGE", "--match", "id=b0", "--match",
                     "status=concluded", "--wait-for", "20"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ASSERT_EQ(line_count(o.out), 2u) << o.out;
  EXPECT_EQ(o.out.substr(0, 3), "{}\n");
  EXPECT_TRUE(has(o.out, R"("event":"JOB_STATUS_CHANGE","data":{"status":"concluded","id":"b0"})")) << o.out;
}

TEST(CliExecWait, NoMatchingEventExitsFour) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  add_null_nodes(qemu);
  auto o = run_qmpc({"-s", qemu.socket(), "exec", "blockdev-backup", "job-id=b0", "device=n0", "target=n1",
                     "sync=full", "--wait-event", "BLOCK_JOB_COMPLETED", "--match", "device=other", "--wait-for",
                     "0.5"});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_EQ(o.out, "{}\n");
  EXPECT_TRUE(has(o.err, R"(no BLOCK_JOB_COMPLETED with device="other" event within 0.5 s)")) << o.err;
}

TEST(CliExecWait, AFailedCommandDoesNotWait) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "exec", "block-job-cancel", "device=nope", "--wait-event",
                     "BLOCK_JOB_CANCELLED", "--wait-for", "30"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_LT(o.elapsed, 20s);
  EXPECT_TRUE(has(o.err, "qmpc: DeviceNotActive: ")) << o.err;
}

TEST(CliExecWait, StopThenStop) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "exec", "stop", "--wait-event", "STOP"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ASSERT_EQ(line_count(o.out), 2u) << o.out;
  EXPECT_TRUE(has(o.out, R"("event":"STOP")")) << o.out;
}

TEST(CliExecRaw, AWordThatIsAnObjectIsTheWholeCommand) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_qmpc({"-s", qemu.socket(), "exec", R"({"execute": "query-status"})"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(has(o.out, R"("running":true)")) << o.out;
  auto args = run_qmpc({"-s", qemu.socket(), "exec",
                        R"({"execute":"blockdev-add","arguments":{"driver":"null-co","node-name":"n9"}})"});
  EXPECT_EQ(args.exit_code, 0) << args.err;
  EXPECT_EQ(args.out, "{}\n");
}

TEST(CliExecRaw, ARawObjectTakesNoFurtherWords) {
  auto o = run_qmpc({"-s", "/nonexistent", "exec", R"({"execute":"stop"})", "a=1"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_TRUE(has(o.err, "qmpc exec: ")) << o.err;
  auto bad = run_qmpc({"-s", "/nonexistent", "exec", R"({"execute":"stop","id":3})"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(has(bad.err, R"(leave out "id")")) << bad.err;
}

TEST(CliExecRaw, DashReadsOneObjectFromStandardInput) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto o = run_program({"/bin/sh", "-c", "printf '%s\\n' '{\"execute\": \"query-status\"}' | \"$0\" -s \"$1\" exec -",
                        qmpc_binary(), qemu.socket()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(has(o.out, R"("running":true)")) << o.out;
  auto bad = run_program({"/bin/sh", "-c", "echo stop | \"$0\" -s \"$1\" exec -", qmpc_binary(), qemu.socket()});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_TRUE(has(bad.err, "qmpc exec: standard input: not a JSON object")) << bad.err;
}

TEST(CliExecFull, TheWholeReplyErrorsIncluded) {
  REQUIRE_QEMU();
  Qemu qemu;
  auto ok = run_qmpc({"-s", qemu.socket(), "exec", "--full", "query-status"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind(R"({"return":{)", 0), 0u) << ok.out;
  EXPECT_TRUE(has(ok.out, R"("id":)")) << ok.out;
  auto err = run_qmpc({"-s", qemu.socket(), "exec", "--full", "no-such-command"});
  EXPECT_EQ(err.exit_code, 1);
  EXPECT_TRUE(has(err.out, R"("error":{"class":"CommandNotFound","desc":"The command no-such-command has not been found"})"))
      << err.out;
  EXPECT_EQ(line_count(err.out), 1u) << err.out;
  EXPECT_TRUE(has(err.err, "qmpc: CommandNotFound: ")) << err.err;
}

}  // namespace
