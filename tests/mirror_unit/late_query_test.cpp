// A query reply can describe the job as it was before events that precede the reply on the wire: QEMU computes
// the reply in a bottom half and writes it only when the monitor's coroutine runs again, and the job may change
// status (and say so) in between. Such a reply must not move the job back.
#include "machine_inputs.hpp"

#include <gtest/gtest.h>

namespace mirror {
namespace {

using namespace test;

JobConfig manual() {
  JobConfig cfg;
  cfg.end_mode = EndMode::manual;
  return cfg;
}

// Real QEMU 7.2 under load: JSC(ready), BLOCK_JOB_READY, then the reply to a query-block-jobs computed before
// them, still saying running.
TEST(LateQuery, APollReadAfterReadyButComputedBeforeItDoesNotUndoReady) {
  auto m = started(manual());
  m.on_event(jsc("ready"));
  m.on_event(block_job_event("BLOCK_JOB_READY"));
  poll(m, bj("running", false, "ok", false));
  EXPECT_TRUE(m.ready());
  EXPECT_EQ(m.status(), JobStatus::ready);
  auto a = m.request(Request::pivot);
  EXPECT_EQ(count<Refused>(a), 0) << describe(a.front());
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-complete {"id":"job0"})"});
}

// The same wire order, with the late reply handed over before the events it follows (they were still queued).
TEST(LateQuery, APollHandedOverBeforeTheReadyEventsItFollowsDoesNotHideThem) {
  auto m = started(manual());
  const auto ready = jsc("ready");
  const auto block_ready = block_job_event("BLOCK_JOB_READY");
  poll(m, bj("running", false, "ok", false));
  m.on_event(ready);
  m.on_event(block_ready);
  EXPECT_TRUE(m.ready());
  EXPECT_EQ(m.status(), JobStatus::ready);
  EXPECT_EQ(count<Refused>(m.request(Request::pivot)), 0);
}

// A job stopped by an error and resumed: a poll computed while it was stopped, read after JSC(running), must not
// count as a second stop (a second resume, or an abort once the resumes are used up).
TEST(LateQuery, APollFromBeforeAResumeDoesNotStopTheJobAgain) {
  JobConfig cfg;
  cfg.max_resumes = 1;
  auto m = started(cfg);
  m.on_event(msg(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"stop"}})"));
  m.on_event(jsc("paused"));
  auto a = on_reply(m, Command::query_block_jobs, ok(bj("paused", true, "failed", false)));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-resume {"id":"job0"})"});
  m.on_event(jsc("running"));
  on_reply(m, Command::resume, ok());
  a = poll(m, bj("paused", true, "failed", false));
  EXPECT_TRUE(sent(a).empty()) << sent(a).front();
  EXPECT_EQ(m.resumes(), 1u);
  EXPECT_FALSE(m.paused_by_error());
  EXPECT_EQ(m.status(), JobStatus::running);
}

// A drain blip (standby, ready) followed by a poll computed during the blip.
TEST(LateQuery, APollFromInsideADrainBlipLeavesTheJobReady) {
  auto m = started(manual());
  m.on_event(jsc("ready"));
  m.on_event(jsc("standby"));
  m.on_event(jsc("ready"));
  poll(m, bj("standby", true, "ok", true));
  EXPECT_EQ(m.status(), JobStatus::ready);
}

// After a gap the queries are the truth, but not one computed before an event it follows on the wire: a resync
// reply saying running after JSC(ready) was handed over leaves the job ready.
TEST(LateQuery, AResyncReplyOlderThanAReadyEventDoesNotUndoIt) {
  auto m = started(manual());
  m.resync();
  const auto jobs_reply = ok(R"([{"id":"job0","type":"mirror","status":"running","current-progress":1,"total-progress":8}])");
  m.on_event(jsc("ready"));
  on_reply(m, Command::query_jobs, jobs_reply);
  on_reply(m, Command::query_block_jobs, ok(bj("running", false, "ok", false)));
  EXPECT_TRUE(m.ready());
  EXPECT_EQ(m.status(), JobStatus::ready);
}

// And the other way round: a ready event handed over after a resync reply that says running (computed before
// the job became ready) still makes the job ready.
TEST(LateQuery, AReadyEventHandedOverAfterAnOlderResyncReplyStillCounts) {
  auto m = started(manual());
  m.resync();
  const auto ready = jsc("ready");
  on_reply(m, Command::query_jobs,
             ok(R"([{"id":"job0","type":"mirror","status":"running","current-progress":1,"total-progress":8}])"));
  on_reply(m, Command::query_block_jobs, ok(bj("running", false, "ok", false)));
  m.on_event(ready);
  EXPECT_TRUE(m.ready());
  EXPECT_EQ(m.status(), JobStatus::ready);
}

TEST(JobStatus, CanReachFollowsQemusTransitions) {
  EXPECT_TRUE(can_reach(JobStatus::running, JobStatus::ready));
  EXPECT_TRUE(can_reach(JobStatus::paused, JobStatus::concluded));
  EXPECT_TRUE(can_reach(JobStatus::standby, JobStatus::standby));
  EXPECT_TRUE(can_reach(JobStatus::unknown, JobStatus::created));
  EXPECT_FALSE(can_reach(JobStatus::ready, JobStatus::running));
  EXPECT_FALSE(can_reach(JobStatus::standby, JobStatus::paused));
  EXPECT_FALSE(can_reach(JobStatus::waiting, JobStatus::ready));
  EXPECT_FALSE(can_reach(JobStatus::concluded, JobStatus::aborting));
  EXPECT_FALSE(can_reach(JobStatus::null, JobStatus::created));
}

}  // namespace
}  // namespace mirror
