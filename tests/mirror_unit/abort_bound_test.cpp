// After an abort (asked for, or a deadline), the run ends within the abort deadline, whatever QEMU does: answer
// the start command late or never, never confirm the cancel, or never say the job is gone.
#include "machine_inputs.hpp"

#include <gtest/gtest.h>

namespace mirror {
namespace {

using namespace test;

int arms(const Actions& a, Timer t) {
  int n = 0;
  for (const auto& x : a)
    if (auto* arm = std::get_if<ArmTimer>(&x)) n += arm->timer == t ? 1 : 0;
  return n;
}

// No cancel is sent for a job QEMU has not said it started: the id may be another job's (the start then fails with
// "Job ID ... already in use").
TEST(AbortBound, AnAbortBeforeTheStartReplySendsNothingButArmsTheAbortDeadline) {
  JobStateMachine m(JobConfig{});
  m.start();
  auto a = m.request(Request::abort);
  EXPECT_TRUE(sent(a).empty()) << sent(a).front();
  EXPECT_EQ(arms(a, Timer::abort), 1);
  m.on_deadline(Timer::abort);
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::unknown);
  EXPECT_NE(m.result()->diagnostics.text().find("did not answer blockdev-mirror"), std::string::npos)
      << m.result()->diagnostics.text();
}

TEST(AbortBound, AnAbortBeforeTheStartReplyCancelsOnceTheJobStarted) {
  JobStateMachine m(JobConfig{});
  m.start();
  m.request(Request::abort);
  m.on_event(jsc("created"));
  m.on_event(jsc("running"));
  auto a = on_reply(m, Command::start, ok());
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-cancel {"device":"job0"})"});
  EXPECT_EQ(arms(a, Timer::abort), 0);  // the deadline runs from the abort, not from the cancel
  on_reply(m, Command::cancel, ok());
  m.on_event(block_job_event("BLOCK_JOB_CANCELLED"));
  m.on_event(jsc("null"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::cancelled);
}

TEST(AbortBound, AnAbortBeforeARefusedStartEndsWithTheRefusal) {
  JobStateMachine m(JobConfig{});
  m.start();
  m.request(Request::abort);
  auto a = on_reply(m, Command::start, err("Job ID 'job0' already in use"));
  EXPECT_TRUE(sent(a).empty());
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::start_failed);
}

// The end was seen (BLOCK_JOB_COMPLETED) but QEMU never says the job is gone: the abort deadline ends the wait, and
// the outcome seen stands.
TEST(AbortBound, AnAbortAfterTheEndWasSeenStillEndsAtTheDeadlineWithThatEnd) {
  auto m = started();
  m.on_event(jsc("ready"));
  on_reply(m, Command::complete, ok());
  m.on_event(jsc("waiting"));
  m.on_event(jsc("pending"));
  m.on_event(block_job_event("BLOCK_JOB_COMPLETED"));
  ASSERT_FALSE(m.done());
  auto a = m.request(Request::abort);
  EXPECT_TRUE(sent(a).empty());
  EXPECT_EQ(arms(a, Timer::abort), 1);
  m.on_deadline(Timer::abort);
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::pivoted);
}

// A plain cancel before ready, then ready, then a forced cancel: the abort deadline still counts from the first.
TEST(AbortBound, TheAbortDeadlineIsArmedOnceFromTheFirstCancel) {
  JobConfig cfg;
  cfg.end_mode = EndMode::manual;
  auto m = started(cfg);
  auto a = m.request(Request::abort);
  EXPECT_EQ(arms(a, Timer::abort), 1);
  m.on_event(jsc("ready"));
  a = m.request(Request::abort);
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-cancel {"device":"job0","force":true})"});
  EXPECT_EQ(arms(a, Timer::abort), 0);
}

}  // namespace
}  // namespace mirror
