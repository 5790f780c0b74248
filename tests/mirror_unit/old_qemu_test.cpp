// QEMU before 2.12: no JOB_STATUS_CHANGE, no query-jobs, no job-* commands. A block job reports BLOCK_JOB_READY and
// ends with BLOCK_JOB_COMPLETED or BLOCK_JOB_CANCELLED, and is gone at once: there is no concluded status to wait
// for, and query-block-jobs simply stops listing it.
#include "machine_inputs.hpp"

#include <gtest/gtest.h>

namespace mirror {
namespace {

using namespace test;

JobConfig old_qemu() {
  JobConfig cfg;
  cfg.start_command = "drive-mirror";
  cfg.job_commands = false;
  return cfg;
}

// A QEMU 2.11 query-block-jobs entry: no "status".
const char* kListed = R"([{"device":"job0","type":"mirror","busy":false,"paused":false,"io-status":"ok","ready":false,)"
                      R"("len":4,"offset":1,"speed":0}])";

JobStateMachine started_old(JobConfig cfg = old_qemu()) {
  JobStateMachine m(std::move(cfg));
  m.start();
  on_reply(m, Command::start, ok());
  return m;
}

TEST(OldQemu, PivotsOnBlockJobReadyAndEndsWithBlockJobCompleted) {
  auto m = started_old();
  auto a = m.on_event(block_job_event("BLOCK_JOB_READY"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-complete {"device":"job0"})"});
  on_reply(m, Command::complete, ok());
  a = m.on_event(block_job_event("BLOCK_JOB_COMPLETED"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::pivoted) << m.result()->diagnostics.text();
}

TEST(OldQemu, ACancelEndsWithBlockJobCancelled) {
  auto m = started_old();
  auto a = m.request(Request::abort);
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-cancel {"device":"job0"})"});
  on_reply(m, Command::cancel, ok());
  m.on_event(block_job_event("BLOCK_JOB_CANCELLED"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::cancelled);
}

// With JOB_STATUS_CHANGE seen, the job is gone at JSC(null), not at its terminal event.
TEST(OldQemu, ANewerQemuStillWaitsForTheNullStatus) {
  JobConfig cfg = old_qemu();
  auto m = started(cfg);  // created and running were seen
  m.on_event(jsc("ready"));
  m.on_event(block_job_event("BLOCK_JOB_COMPLETED"));
  EXPECT_FALSE(m.done());
  m.on_event(jsc("concluded"));
  m.on_event(jsc("null"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::pivoted);
}

// A job whose end was seen and that query-block-jobs no longer lists is done, whatever the version.
TEST(OldQemu, AJobNoLongerListedAfterItsEndIsDone) {
  auto m = started(old_qemu());
  m.on_event(jsc("ready"));
  m.on_event(block_job_event("BLOCK_JOB_COMPLETED"));
  ASSERT_FALSE(m.done());
  poll(m, "[]");
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::pivoted);
}

// Gone without its end seen: one missing listing may only mean the end event is still on its way; a second one
// in a row means it was lost. The outcome is then unknown, never a pivot.
TEST(OldQemu, AJobNoLongerListedTwiceWithoutItsEndIsUnknown) {
  auto m = started_old();
  m.on_event(block_job_event("BLOCK_JOB_READY"));
  on_reply(m, Command::complete, ok());
  poll(m, kListed);
  poll(m, "[]");
  EXPECT_FALSE(m.done());
  poll(m, kListed);  // listed again: the count starts over
  poll(m, "[]");
  EXPECT_FALSE(m.done());
  poll(m, "[]");
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::unknown);
  EXPECT_NE(m.result()->diagnostics.text().find("no longer listed"), std::string::npos)
      << m.result()->diagnostics.text();
}

// A job stopped by an I/O error: no JOB_STATUS_CHANGE paused follows BLOCK_JOB_ERROR on such a QEMU (the job is
// paused when the event is sent), so the event itself is the stop: qmpc asks query-block-jobs why, then applies
// its error policy instead of waiting for a status that never comes.
TEST(OldQemu, AJobStoppedByAnErrorIsInspectedAndResumedWithoutAStatusEvent) {
  JobConfig cfg = old_qemu();
  cfg.max_resumes = 1;
  auto m = started_old(cfg);
  auto a = m.on_event(msg(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"read","action":"stop"}})"));
  EXPECT_EQ(sent(a), std::vector<std::string>{"query-block-jobs"});
  a = on_reply(m, Command::query_block_jobs,
                 ok(R"([{"device":"job0","type":"mirror","busy":false,"paused":true,"io-status":"failed",)"
                    R"("ready":false,"len":4,"offset":1,"speed":0}])"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-resume {"device":"job0"})"});
  on_reply(m, Command::resume, ok());
  a = m.on_event(block_job_event("BLOCK_JOB_READY"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-complete {"device":"job0"})"});
  EXPECT_EQ(m.resumes(), 1u);
}

// The same with no resume allowed: the job is aborted with the error named, not left paused.
TEST(OldQemu, AJobStoppedByAnErrorIsAbortedWhenThePolicyAllowsNoResume) {
  auto m = started_old();
  auto a = m.on_event(msg(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"stop"}})"));
  EXPECT_EQ(sent(a), std::vector<std::string>{"query-block-jobs"});
  a = on_reply(m, Command::query_block_jobs,
                      ok(R"([{"device":"job0","type":"mirror","busy":false,"paused":true,"io-status":"nospace",)"
                         R"("ready":false,"len":4,"offset":1,"speed":0}])"));
  ASSERT_EQ(sent(a).size(), 1u);
  EXPECT_EQ(sent(a)[0].rfind("block-job-cancel", 0), 0u) << sent(a)[0];
  on_reply(m, Command::cancel, ok());
  m.on_event(block_job_event("BLOCK_JOB_CANCELLED"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::cancelled) << m.result()->diagnostics.text();
  EXPECT_NE(m.result()->diagnostics.text().find("no space left on device"), std::string::npos)
      << m.result()->diagnostics.text();
}

// Resync on such a QEMU: query-jobs does not exist; query-block-jobs still tells whether the job is gone.
TEST(OldQemu, AResyncWithoutQueryJobsStillFindsTheJobGone) {
  auto m = started_old();
  m.on_event(block_job_event("BLOCK_JOB_READY"));
  on_reply(m, Command::complete, ok());
  m.resync();
  on_reply(m, Command::query_jobs, err("The command query-jobs has not been found", "CommandNotFound"));
  on_reply(m, Command::query_block_jobs, ok("[]"));
  EXPECT_FALSE(m.done());
  m.resync();
  on_reply(m, Command::query_jobs, err("The command query-jobs has not been found", "CommandNotFound"));
  on_reply(m, Command::query_block_jobs, ok("[]"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::unknown);
}

}  // namespace
}  // namespace mirror
