// Replies recorded against QEMU 10.0 (fixtures/transcripts/qemu-10.0-*.qmpt, `qmpc --trace`): query-block-jobs
// entries there carry "actively-synced" (since 8.2) and "type" from an enum; the job state machine reads them as
// it reads 7.2's.
#include "machine_inputs.hpp"
#include "transcript_fixture.hpp"

#include <mirror/job_state_machine.hpp>

#include <qmp/codec.hpp>

#include <gtest/gtest.h>

#include <string>

namespace mirror {
namespace {

test::Received recorded(const std::string& file, const std::string& name) {
  auto m = test::recorded_reply(file, name);
  return m.valid() ? qmp::reply_from_message(m) : test::lost("not recorded");
}

test::Received started_reply() {
  auto d = qmp::decode_line(R"({"return":{}})", 1, qmp::Clock::now());
  return qmp::reply_from_message(*d.message);
}

TEST(Qemu10Shapes, AReadyMirrorInQueryBlockJobsIsReady) {
  JobConfig cfg;
  cfg.job_id = "job1";
  cfg.end_mode = EndMode::manual;
  JobStateMachine m(cfg);
  m.start();
  test::on_reply(m, Command::start, started_reply());
  test::on_reply(m, Command::query_block_jobs, recorded("qemu-10.0-query-block-jobs-ready.qmpt", "query-block-jobs"));
  EXPECT_EQ(m.status(), JobStatus::ready);
  EXPECT_TRUE(m.ready());
  EXPECT_FALSE(m.done());
}

}  // namespace
}  // namespace mirror
