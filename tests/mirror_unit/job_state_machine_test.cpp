// Targeted tests of mirror::JobStateMachine that are easier to state in code than as event streams.
#include "machine_inputs.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mirror {
namespace {

using namespace test;

std::string bj_paused() {
  return R"([{"device":"job0","status":"paused","paused":true,"io-status":"failed","ready":false,"offset":1,"len":2}])";
}

TEST(JobStateMachine, StartSendsTheConfiguredCommandOnceAndArmsTheReadyDeadline) {
  JobConfig cfg;
  cfg.start_command = "drive-mirror";
  cfg.start_arguments = R"({"job-id":"job0","device":"disk0","target":"/t","sync":"full"})";
  JobStateMachine m(cfg);
  auto a = m.start();
  EXPECT_EQ(sent(a), std::vector<std::string>{"drive-mirror " + cfg.start_arguments});
  EXPECT_EQ(count<ArmTimer>(a), 1);
  EXPECT_TRUE(m.start().empty());
}

TEST(JobStateMachine, AnIgnoreFloodIsCountedNotStored) {
  auto m = started();
  const auto e = msg(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"ignore"}})");
  std::size_t actions = 0;
  for (int i = 0; i < 200000; ++i) actions += m.on_event(e).size();
  EXPECT_EQ(actions, 1u);  // the first error is reported, the rest counted
  EXPECT_EQ(m.error_events(), 200000u);
  EXPECT_EQ(m.ignored_errors(), 200000u);
  EXPECT_FALSE(m.done());
}

TEST(JobStateMachine, OldJobCommandsAreUsedWithoutJobStar) {
  JobConfig cfg;
  cfg.job_commands = false;
  cfg.max_resumes = 1;
  cfg.auto_finalize = false;
  auto m = started(cfg);
  m.on_event(msg(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"stop"}})"));
  auto a = m.on_event(jsc("paused"));
  EXPECT_EQ(sent(a), std::vector<std::string>{"query-block-jobs"});
  a = on_reply(m, Command::query_block_jobs,
                 ok(R"([{"device":"job0","status":"paused","paused":true,"io-status":"failed","ready":false,)"
                    R"("offset":1,"len":2}])"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-resume {"device":"job0"})"});
  on_reply(m, Command::resume, ok());
  m.on_event(jsc("running"));
  a = m.on_event(jsc("ready"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-complete {"device":"job0"})"});
  m.on_event(jsc("waiting"));
  a = m.on_event(jsc("pending"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-finalize {"id":"job0"})"});
}

TEST(JobStateMachine, AnEventOlderThanTheLastQueryDoesNotMoveTheStatusBack) {
  auto m = started();
  const auto old_running = jsc("running");  // read before the query reply, handed over after it
  auto a = on_reply(m, Command::query_jobs, ok(R"([{"id":"job0","status":"ready","current-progress":5,"total-progress":5}])"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-complete {"id":"job0"})"});
  EXPECT_EQ(m.status(), JobStatus::ready);
  m.on_event(old_running);
  EXPECT_EQ(m.status(), JobStatus::ready);
  EXPECT_TRUE(m.ready());
}

TEST(JobStateMachine, ARefusedResumeThatSaysNotPausedIsHarmless) {
  JobConfig cfg;
  cfg.max_resumes = 3;
  auto m = started(cfg);
  m.on_event(msg(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"read","action":"stop"}})"));
  m.on_event(jsc("paused"));
  on_reply(m, Command::query_block_jobs, ok(bj_paused()));
  auto a = on_reply(m, Command::resume, err("Can't resume a job that was not paused"));
  EXPECT_TRUE(sent(a).empty());
  EXPECT_FALSE(m.done());
}

TEST(JobStateMachine, ATransportErrorOnTheStartCommandEndsWithUnknown) {
  JobStateMachine m(JobConfig{});
  m.start();
  auto a = on_reply(m, Command::start, lost("connection lost"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::unknown);
  EXPECT_NE(m.result()->diagnostics.text().find("connection lost"), std::string::npos);
}

TEST(JobStateMachine, RequestsAfterTheEndAreRefused) {
  JobConfig cfg;
  cfg.end_mode = EndMode::detach;
  auto m = started(cfg);
  ASSERT_TRUE(m.done());
  auto a = m.request(Request::abort);
  ASSERT_EQ(count<Refused>(a), 1);
  EXPECT_EQ(sent(a).size(), 0u);
}

TEST(JobStateMachine, WaitReadyRequestedBeforeReadyFinishesOnReady) {
  JobConfig cfg;
  cfg.end_mode = EndMode::manual;
  auto m = started(cfg);
  EXPECT_TRUE(m.request(Request::wait_ready).empty());
  auto a = m.on_event(jsc("ready"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::ready);
  EXPECT_TRUE(sent(a).empty());
}

TEST(JobStateMachine, ReadyRecordsTheTimeOfTheFirstSignal) {
  auto m = started();
  const auto first = jsc("ready");
  m.on_event(first);
  m.on_event(msg(R"({"event":"BLOCK_JOB_READY","data":{"device":"job0","len":4,"offset":4,"speed":0,"type":"mirror"}})"));
  ASSERT_TRUE(m.ready_signal_time());
  EXPECT_EQ(*m.ready_signal_time(), first.time());
}

// After a gap, each status a query can report leads to the right next step.
struct ResyncCase {
  const char* name;
  const char* jobs;        // query-jobs return
  const char* block_jobs;  // query-block-jobs return
  JobConfig cfg;
  std::vector<std::string> commands;  // sent in reaction
  bool ready;
  std::optional<Outcome> outcome;
};

JobConfig cfg_with(bool auto_finalize, bool auto_dismiss, EndMode mode = EndMode::pivot) {
  JobConfig c;
  c.auto_finalize = auto_finalize;
  c.auto_dismiss = auto_dismiss;
  c.end_mode = mode;
  return c;
}

std::string jobs(const char* status, const char* error = nullptr) {
  return std::string(R"([{"id":"job0","type":"mirror","status":")") + status +
         R"(","current-progress":8,"total-progress":8)" + (error ? std::string(R"(,"error":")") + error + "\"" : "") +
         "}]";
}

class Resync : public ::testing::TestWithParam<int> {};

TEST_P(Resync, EachStatusLeadsToTheRightStep) {
  static const std::vector<ResyncCase> cases = [] {
    std::vector<ResyncCase> c;
    auto add = [&](const char* n, std::string j, std::string b, JobConfig cfg, std::vector<std::string> cmds, bool ready,
                   std::optional<Outcome> o) {
      static std::vector<std::string> keep;  // the case table holds pointers
      keep.reserve(64);
      keep.push_back(std::move(j));
      const char* jp = keep.back().c_str();
      keep.push_back(std::move(b));
      c.push_back({n, jp, keep.back().c_str(), cfg, std::move(cmds), ready, o});
    };
    add("created", jobs("created"), bj("created", false, "ok", false), {}, {}, false, {});
    add("running", jobs("running"), bj("running", false, "ok", false), {}, {}, false, {});
    add("paused_by_user", jobs("paused"), bj("paused", true, "ok", false), {}, {}, false, {});
    add("paused_by_error", jobs("paused"), bj("paused", true, "failed", false), {},
        {R"(block-job-cancel {"device":"job0","force":true})"}, false, {});
    add("ready", jobs("ready"), bj("ready", false, "ok", true), {}, {R"(job-complete {"id":"job0"})"}, true, {});
    add("standby", jobs("standby"), bj("standby", true, "ok", true), {}, {R"(job-complete {"id":"job0"})"}, true, {});
    add("standby_error", jobs("standby"), bj("standby", true, "nospace", true), {},
        {R"(block-job-cancel {"device":"job0","force":true})"}, true, {});
    add("waiting", jobs("waiting"), bj("waiting", false, "ok", false), {}, {}, false, {});
    add("pending_auto", jobs("pending"), bj("pending", false, "ok", false), {}, {}, false, {});
    add("pending_manual", jobs("pending"), bj("pending", false, "ok", false), cfg_with(false, true),
        {R"(job-finalize {"id":"job0"})"}, false, {});
    add("aborting", jobs("aborting"), bj("aborting", false, "ok", false), {}, {}, false, {});
    add("concluded_ok", jobs("concluded"), bj("concluded", false, "ok", false), cfg_with(true, false),
        {R"(job-dismiss {"id":"job0"})"}, false, {});
    add("concluded_error", jobs("concluded", "Input/output error"), bj("concluded", false, "ok", false),
        cfg_with(true, false), {R"(job-dismiss {"id":"job0"})"}, false, {});
    add("gone", "[]", "[]", {}, {}, false, Outcome::unknown);
    return c;
  }();
  const ResyncCase& rc = cases.at(static_cast<std::size_t>(GetParam()));
  SCOPED_TRACE(rc.name);
  auto m = started(rc.cfg);
  auto a = m.resync();
  EXPECT_EQ(sent(a), (std::vector<std::string>{"query-jobs", "query-block-jobs"}));
  Actions all = on_reply(m, Command::query_jobs, ok(rc.jobs));
  auto more = on_reply(m, Command::query_block_jobs, ok(rc.block_jobs));
  all.insert(all.end(), more.begin(), more.end());
  EXPECT_EQ(sent(all), rc.commands);
  EXPECT_EQ(m.ready(), rc.ready);
  if (rc.outcome) {
    ASSERT_TRUE(m.result());
    EXPECT_EQ(m.result()->outcome, *rc.outcome);
  } else {
    EXPECT_FALSE(m.done()) << describe(*m.result());
  }
}

INSTANTIATE_TEST_SUITE_P(Statuses, Resync, ::testing::Range(0, 14));

}  // namespace
}  // namespace mirror

namespace mirror {
namespace {

using namespace test;

TEST(JobStateMachine, AQueryReplyOlderThanAnEventAlreadySeenDoesNotUndoIt) {
  JobConfig cfg;
  cfg.max_resumes = 5;
  auto m = started(cfg);
  m.on_event(msg(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"stop"}})"));
  m.on_event(jsc("paused"));
  on_reply(m, Command::query_block_jobs, ok(bj_paused()));  // resume sent
  EXPECT_EQ(m.resumes(), 1u);
  // A progress poll read before JSC(running) but handed over after it still says paused/failed.
  const auto old_poll = msg(std::string(R"({"return":)") + bj_paused() + "}");
  m.on_event(jsc("running"));
  auto a = m.on_poll(*old_poll.result(), old_poll.seq(), old_poll.time());
  EXPECT_TRUE(sent(a).empty());
  EXPECT_EQ(m.resumes(), 1u);
  EXPECT_FALSE(m.paused_by_error());
  EXPECT_EQ(m.status(), JobStatus::running);
}

}  // namespace
}  // namespace mirror

namespace mirror {
namespace {

using namespace test;

TEST(JobStateMachine, ACancelThatNeverEndsAfterTheReadyDeadlineStillNamesTheReadyDeadline) {
  auto m = started();
  auto a = m.on_deadline(Timer::ready);
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-cancel {"device":"job0"})"});
  on_reply(m, Command::cancel, ok());
  a = m.on_deadline(Timer::abort);
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::unknown);
  EXPECT_EQ(m.result()->deadline, Timer::ready);
  EXPECT_NE(m.result()->diagnostics.text().find("ready deadline"), std::string::npos) << m.result()->diagnostics.text();
  EXPECT_NE(m.result()->diagnostics.text().find("did not end"), std::string::npos) << m.result()->diagnostics.text();
}

// A monitor that refuses query-block-jobs is no QEMU (QEMU answers it in every state): a replayed transcript that
// diverged answers every later command with an error and never sends the ready event the job waits for.
TEST(JobStateMachine, TwoFailedPollsInARowAbortTheJobAndTheRunEnds) {
  auto m = started();
  const auto refused = err("qmpc replay: expected 'quit' (recorded seq 9), got 'query-block-jobs'");
  EXPECT_TRUE(sent(on_poll_failed(m, refused)).empty());
  auto a = on_poll_failed(m, refused);
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-cancel {"device":"job0"})"});
  EXPECT_EQ(count<ArmTimer>(a), 1);
  on_reply(m, Command::cancel, refused);
  m.on_deadline(Timer::abort);
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::unknown);
  EXPECT_NE(m.result()->diagnostics.text().find("QEMU refused query-block-jobs (GenericError: qmpc replay: expected"),
            std::string::npos) << m.result()->diagnostics.text();
  EXPECT_NE(m.result()->diagnostics.text().find("2 times in a row"), std::string::npos)
      << m.result()->diagnostics.text();
}

TEST(JobStateMachine, APollWithoutReplyCountsAsAFailedOne) {
  auto m = started();
  const auto silent = lost("no reply within 30 s", qmp::errc::timeout);
  on_poll_failed(m, silent);
  EXPECT_EQ(sent(on_poll_failed(m, silent)), std::vector<std::string>{R"(block-job-cancel {"device":"job0"})"});
  m.on_deadline(Timer::abort);
  ASSERT_TRUE(m.result());
  EXPECT_NE(m.result()->diagnostics.text().find("query-block-jobs failed (no reply within 30 s)"), std::string::npos)
      << m.result()->diagnostics.text();
}

TEST(JobStateMachine, OnlyFailuresInARowCount) {
  auto m = started();
  const auto refused = err("Service unavailable");
  on_poll_failed(m, refused);
  poll(m, bj("running", false, "ok", false));
  EXPECT_TRUE(sent(on_poll_failed(m, refused)).empty());
  // A refused query-block-jobs of the machine's own counts with the polls, and a good one resets them too.
  on_reply(m, Command::query_block_jobs, ok(bj("running", false, "ok", false)));
  EXPECT_TRUE(sent(on_poll_failed(m, refused)).empty());
  EXPECT_FALSE(m.done());
  EXPECT_FALSE(m.cancel_sent());
}

TEST(JobStateMachine, EveryActionDescribesItself) {
  const Actions all = {SendCommand{Command::complete, "job-complete", R"({"id":"job0"})"},
                       StatusChanged{JobStatus::running, JobStatus::ready},
                       ReadyReached{qmp::Clock::time_point{}, "JOB_STATUS_CHANGE"},
                       JobErrorReported{"write", "stop", 1},
                       PausedByError{"write", "stop", "failed", "stopped", true},
                       Progress{1, 2, 0, false},
                       ArmTimer{Timer::ready},
                       DisarmTimer{Timer::completion},
                       Refused{Request::pivot, "not ready"},
                       Finished{Outcome::failed, {"", "", "Input/output error"}, std::nullopt}};
  const std::vector<std::string> want = {R"(send job-complete {"id":"job0"} (complete))",
                                         "status running -> ready",
                                         "ready (JOB_STATUS_CHANGE)",
                                         "job error operation=write action=stop #1",
                                         "stopped by error: stopped (resuming)",
                                         "progress 1/2",
                                         "arm ready",
                                         "disarm completion",
                                         "refused pivot: not ready",
                                         "finished failed: Input/output error"};
  ASSERT_EQ(all.size(), want.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(describe(all[i]), want[i]);
}

// waiting, pending, BLOCK_JOB_COMPLETED without error, concluded, null.
void completes_without_error(JobStateMachine& m) {
  for (const char* s : {"waiting", "pending"}) m.on_event(jsc(s));
  m.on_event(msg(R"({"event":"BLOCK_JOB_COMPLETED","data":{"device":"job0","len":4,"offset":4,"speed":0,"type":"mirror"}})"));
  for (const char* s : {"concluded", "null"}) m.on_event(jsc(s));
}

// QEMU 5.2 takes complete only in ready, not in standby as later versions do: the pivot waits for the next ready.
TEST(JobStateMachine, ACompleteRefusedInStandbyIsSentAgainOnReady) {
  JobConfig cfg;
  cfg.end_mode = EndMode::manual;
  auto m = started(cfg);
  m.on_event(jsc("ready"));
  m.on_event(jsc("standby"));
  auto a = m.request(Request::pivot);
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-complete {"id":"job0"})"});
  a = on_reply(m, Command::complete, err("Job 'job0' in state 'standby' cannot accept command verb 'complete'"));
  EXPECT_TRUE(sent(a).empty());
  EXPECT_FALSE(m.done());
  a = m.on_event(jsc("ready"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-complete {"id":"job0"})"});
  on_reply(m, Command::complete, ok());
  completes_without_error(m);
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::pivoted);
}

// QEMU 5.2's quit soft-cancels a ready mirror: BLOCK_JOB_COMPLETED without error, yet nothing was pivoted.
TEST(JobStateMachine, ACompletionAtQuitThatQmpcDidNotAskForIsACancelNotAPivot) {
  JobConfig cfg;
  cfg.end_mode = EndMode::manual;
  auto m = started(cfg);
  m.on_event(jsc("ready"));
  m.on_event(msg(R"({"event":"SHUTDOWN","data":{"guest":false,"reason":"host-qmp-quit"}})"));
  completes_without_error(m);
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::cancelled);
  EXPECT_NE(m.result()->diagnostics.text().find("host-qmp-quit"), std::string::npos) << m.result()->diagnostics.text();
}

// QEMU 5.2 ends a soft-cancelled mirror that meets target errors as cancelled: qmpc asked, and says what came of it.
TEST(JobStateMachine, ASoftCancelThatEndsCancelledSaysSo) {
  JobConfig cfg;
  cfg.end_mode = EndMode::manual;
  auto m = started(cfg);
  m.on_event(jsc("ready"));
  m.request(Request::finish);
  on_reply(m, Command::finish, ok());
  m.on_event(jsc("aborting"));
  m.on_event(msg(R"({"event":"BLOCK_JOB_CANCELLED","data":{"device":"job0","len":8,"offset":4,"speed":0,"type":"mirror"}})"));
  m.on_event(jsc("concluded"));
  m.on_event(jsc("null"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::cancelled);
  EXPECT_NE(m.result()->diagnostics.text().find("soft cancel"), std::string::npos) << m.result()->diagnostics.text();
}

}  // namespace
}  // namespace mirror
