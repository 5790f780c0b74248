#include "script/script_run.hpp"

#include "script/step_parser.hpp"

#include "qmp/codec.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::script::ScriptRun;

std::vector<qmpc::script::Step> steps(std::string_view text) {
  auto s = qmpc::script::parse_script(text);
  EXPECT_TRUE(s.ok()) << s.error;
  return s.steps;
}

qmp::json::Document json(std::string_view text) {
  qmp::json::Document d;
  EXPECT_FALSE(qmp::json::parse(d, text));
  return d;
}

TEST(ScriptRun, EveryStepInOrderWithItsLine) {
  ScriptRun run(steps("stop\nwait-event STOP\nquery-status\n"), false);
  ASSERT_NE(run.next(), nullptr);
  EXPECT_EQ(run.step_number(), 1u);
  EXPECT_EQ(run.returned(json("{}")), R"({"step":1,"execute":"stop","return":{}})");
  ASSERT_NE(run.next(), nullptr);
  EXPECT_EQ(run.step_number(), 2u);
  auto stop = *qmp::decode_line(R"({"timestamp":{"seconds":1,"microseconds":2},"event":"STOP"})", 5, {}).message;
  EXPECT_EQ(run.event_taken(stop),
            R"({"step":2,"event":{"timestamp":{"seconds":1,"microseconds":2},"event":"STOP"}})");
  ASSERT_NE(run.next(), nullptr);
  EXPECT_EQ(run.returned(json(R"({"status":"paused","running":false})")),
            R"({"step":3,"execute":"query-status","return":{"status":"paused","running":false}})");
  EXPECT_EQ(run.next(), nullptr);
  EXPECT_EQ(run.exit_code(), 0);
  EXPECT_FALSE(run.stopped());
}

TEST(ScriptRun, StopsAtTheFirstFailure) {
  ScriptRun run(steps("nope\nstop\n"), false);
  ASSERT_NE(run.next(), nullptr);
  EXPECT_EQ(run.failed("CommandNotFound", "The command nope has not been found", 1),
            R"({"step":1,"execute":"nope","error":{"class":"CommandNotFound","desc":"The command nope has not been found"}})");
  EXPECT_EQ(run.next(), nullptr);
  EXPECT_TRUE(run.stopped());
  EXPECT_EQ(run.exit_code(), 1);
}

TEST(ScriptRun, AWaitThatTimesOutExitsFour) {
  ScriptRun run(steps("wait-event BLOCK_JOB_READY device=job0 --for 1\nstop\n"), false);
  ASSERT_NE(run.next(), nullptr);
  EXPECT_EQ(run.failed("Timeout", "no BLOCK_JOB_READY with device=\"job0\" within 1 s", 4),
            R"({"step":1,"wait-event":"BLOCK_JOB_READY","error":{"class":"Timeout","desc":"no BLOCK_JOB_READY with device=\"job0\" within 1 s"}})");
  EXPECT_EQ(run.next(), nullptr);
  EXPECT_EQ(run.exit_code(), 4);
}

TEST(ScriptRun, KeepGoingRunsEveryStepAndExitsWithTheFirstFailure) {
  ScriptRun run(steps("wait-event X --for 0\nnope\nstop\n"), true);
  ASSERT_NE(run.next(), nullptr);
  run.failed("Timeout", "no X within 0 s", 4);
  ASSERT_NE(run.next(), nullptr);
  EXPECT_EQ(run.step_number(), 2u);
  run.failed("CommandNotFound", "no", 1);
  ASSERT_NE(run.next(), nullptr);
  EXPECT_EQ(run.step_number(), 3u);
  run.returned(json("{}"));
  EXPECT_EQ(run.next(), nullptr);
  EXPECT_EQ(run.exit_code(), 4);
  EXPECT_FALSE(run.stopped());
}

TEST(ScriptRun, ALostConnectionOrAnInterruptionStopsEvenWithKeepGoing) {
  ScriptRun lost(steps("stop\ncont\n"), true);
  lost.failed("ConnectionLost", "the monitor closed the connection", 3);
  EXPECT_EQ(lost.next(), nullptr);
  EXPECT_EQ(lost.exit_code(), 3);
  ScriptRun interrupted(steps("stop\ncont\n"), true);
  interrupted.failed("Interrupted", "SIGINT", 130);
  EXPECT_EQ(interrupted.next(), nullptr);
  EXPECT_EQ(interrupted.exit_code(), 130);
}

TEST(ScriptRun, NamesAreEscapedInTheLine) {
  ScriptRun run(steps("'a\"b'\n"), false);
  EXPECT_EQ(run.failed("GenericError", "x\ny", 1),
            R"({"step":1,"execute":"a\"b","error":{"class":"GenericError","desc":"x\ny"}})");
}

TEST(ScriptRun, AnEmptyScriptHasNoStep) {
  ScriptRun run({}, false);
  EXPECT_EQ(run.next(), nullptr);
  EXPECT_EQ(run.exit_code(), 0);
}

}  // namespace
