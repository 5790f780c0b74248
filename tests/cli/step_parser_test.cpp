#include "script/step_parser.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc::script;

// A readable rendering of one line's outcome.
std::string step(std::string_view line) {
  std::string error;
  auto s = parse_step(line, 7, &error);
  if (!error.empty()) return "ERROR: " + error;
  if (!s) return "(none)";
  EXPECT_EQ(s->line, 7u);
  if (const auto* c = std::get_if<CommandStep>(&s->action))
    return std::string(c->oob ? "oob " : "exec ") + c->name + " " + c->arguments_json;
  const auto& w = std::get<WaitStep>(s->action);
  std::string out = "wait " + w.pattern;
  for (const auto& c : w.conditions) out += " " + c.path + "=" + c.value_json;
  if (w.for_s) out += " for " + std::to_string(*w.for_s);
  return out;
}

TEST(StepParser, CommandsAsAfterQmpcExec) {
  EXPECT_EQ(step("stop"), "exec stop ");
  EXPECT_EQ(step("  query-status  "), "exec query-status ");
  EXPECT_EQ(step("block-job-set-speed device=job0 speed=0"),
            R"(exec block-job-set-speed {"device":"job0","speed":0})");
  EXPECT_EQ(step("human-monitor-command command-line='info block'"),
            R"(exec human-monitor-command {"command-line":"info block"})");
  EXPECT_EQ(step(R"(blockdev-add '{"driver":"null-co","node-name":"n0"}')"),
            R"(exec blockdev-add {"driver":"null-co","node-name":"n0"})");
  EXPECT_EQ(step("blockdev-add driver=null-co node-name=n0 size=1048576"),
            R"(exec blockdev-add {"driver":"null-co","node-name":"n0","size":1048576})");
  EXPECT_EQ(step("stop\r"), "exec stop ");
}

TEST(StepParser, RawObjects) {
  EXPECT_EQ(step(R"({"execute":"stop"})"), "exec stop ");
  EXPECT_EQ(step(R"(  {"execute": "block-job-cancel", "arguments": {"device": "job0", "force": true}})"),
            R"(exec block-job-cancel {"device":"job0","force":true})");
  EXPECT_EQ(step(R"({"exec-oob":"migrate-pause"})"), "oob migrate-pause ");
  EXPECT_EQ(step(R"({"arguments":{},"execute":"query-status"})"), "exec query-status {}");
}

TEST(StepParser, RawObjectsThatAreNoCommand) {
  EXPECT_EQ(step(R"({"execute":"stop")").rfind("ERROR: not a JSON object: ", 0), 0u);
  EXPECT_EQ(step(R"({"arguments":{}})"), R"(ERROR: a command object needs "execute" (or "exec-oob"))");
  EXPECT_EQ(step(R"({"execute":5})"), R"(ERROR: "execute" must be a command name (a non-empty string))");
  EXPECT_EQ(step(R"({"execute":""})"), R"(ERROR: "execute" must be a command name (a non-empty string))");
  EXPECT_EQ(step(R"({"execute":"a","exec-oob":"b"})"),
            R"(ERROR: a command object has one of "execute" and "exec-oob", not both)");
  EXPECT_EQ(step(R"({"execute":"stop","arguments":[1]})"), R"(ERROR: "arguments" must be an object)");
  EXPECT_EQ(step(R"({"execute":"stop","id":1})"), R"(ERROR: leave out "id": qmpc numbers the commands it sends)");
  EXPECT_EQ(step(R"({"execute":"stop","x":1})"),
            R"(ERROR: unexpected member "x" (a command object has "execute" or "exec-oob", and "arguments"))");
}

TEST(StepParser, WaitEvent) {
  EXPECT_EQ(step("wait-event STOP"), "wait STOP");
  EXPECT_EQ(step("wait-event BLOCK_JOB_READY device=job0 len=1048576"),
            R"(wait BLOCK_JOB_READY device="job0" len=1048576)");
  EXPECT_EQ(step("wait-event JOB_STATUS_CHANGE id=job0 status=concluded --for 2.5"),
            R"(wait JOB_STATUS_CHANGE id="job0" status="concluded" for 2.500000)");
  EXPECT_EQ(step("wait-event STOP --for=0"), "wait STOP for 0.000000");
  EXPECT_EQ(step("wait-event --for 1 STOP"), "wait STOP for 1.000000");
  EXPECT_EQ(step("wait-event 'BLOCK_JOB_*' device='\"5\"'"), R"(wait BLOCK_JOB_* device="5")");
}

TEST(StepParser, WaitEventMistakes) {
  EXPECT_EQ(step("wait-event"), "ERROR: wait-event needs an event name, e.g. wait-event STOP");
  EXPECT_EQ(step("wait-event --for 3"), "ERROR: wait-event needs an event name, e.g. wait-event STOP");
  EXPECT_EQ(step("wait-event device=job0"), "ERROR: wait-event: the event name comes first, before 'device=job0'");
  EXPECT_EQ(step("wait-event STOP RESUME"), "ERROR: wait-event: expected PATH=VALUE, got 'RESUME'");
  EXPECT_EQ(step("wait-event STOP --for"), "ERROR: wait-event: --for needs a number of seconds");
  EXPECT_EQ(step("wait-event STOP --for x"), "ERROR: wait-event: 'x' is not a number of seconds (e.g. 10 or 0.5)");
  EXPECT_EQ(step("wait-event STOP --for -1"),
            "ERROR: wait-event: '-1' is not a number of seconds (e.g. 10 or 0.5)");
  EXPECT_EQ(step("wait-event STOP --for 1 --for 2"), "ERROR: wait-event: --for is given twice");
  EXPECT_EQ(step("wait-event STOP --match a=1"), "ERROR: wait-event: unknown option --match (it takes --for SEC)");
  EXPECT_EQ(step("wait-event STOP a..b=1"),
            "ERROR: wait-event: empty path segment in 'a..b' (paths look like a or a.b)");
}

TEST(StepParser, BlankAndCommentLines) {
  EXPECT_EQ(step(""), "(none)");
  EXPECT_EQ(step("   \t"), "(none)");
  EXPECT_EQ(step("\r"), "(none)");
  EXPECT_EQ(step("# stop"), "(none)");
  EXPECT_EQ(step("   # {\"execute\":\"stop\"}"), "(none)");
}

TEST(StepParser, CommandMistakes) {
  EXPECT_EQ(step("block-job-set-speed device"), "ERROR: expected KEY=VALUE, got 'device'");
  EXPECT_EQ(step("hmc command-line='info"), "ERROR: a ' quote is not closed");
  EXPECT_EQ(step("--for 3"), "ERROR: expected a command name, got '--for'");
  EXPECT_EQ(step("'' a=1"), "ERROR: expected a command name, got ''");
}

TEST(StepParser, ScriptNumbersLinesAndStopsAtTheFirstBadOne) {
  auto script = parse_script("# a test\nstop\n\nwait-event STOP --for 3\r\n{\"execute\":\"cont\"}\nwait-event RESUME");
  ASSERT_TRUE(script.ok()) << script.error;
  ASSERT_EQ(script.steps.size(), 4u);
  EXPECT_EQ(script.steps[0].line, 2u);
  EXPECT_EQ(script.steps[1].line, 4u);
  EXPECT_EQ(script.steps[2].line, 5u);
  EXPECT_EQ(script.steps[3].line, 6u);
  EXPECT_EQ(std::get<WaitStep>(script.steps[3].action).pattern, "RESUME");

  auto bad = parse_script("stop\nwait-event\ncont\n");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error, "line 2: wait-event needs an event name, e.g. wait-event STOP");
  EXPECT_TRUE(bad.steps.empty());

  EXPECT_TRUE(parse_script("").ok());
  EXPECT_TRUE(parse_script("").steps.empty());
  EXPECT_EQ(parse_script("\n\n# x\n").steps.size(), 0u);
}

}  // namespace
