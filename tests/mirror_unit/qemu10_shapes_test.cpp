// Replies recorded against QEMU 10.0 (fixtures/transcripts/qemu-10.0-*.qmpt, `qmpc --trace`): query-block-jobs
// entries there carry "actively-synced" (since 8.2) and "type" from an enum; the job state machine reads them as
// it reads 7.2's.
#include <mirror/job_state_machine.hpp>

#include <qmp/codec.hpp>
#include <qmp/transcript_reader.hpp>

#include <gtest/gtest.h>

#include <string>

namespace mirror {
namespace {

// The reply to the command of `name` in the transcript `file`.
CommandReply recorded_reply(const std::string& file, const std::string& name) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(std::string(QMPC_TRANSCRIPT_FIXTURES_DIR) + "/" + file, ec, diag);
  EXPECT_TRUE(t) << diag.desc;
  bool asked = false;
  if (t)
    for (const auto& e : t->entries) {
      auto m = e.to_message();
      if (!m) continue;
      if (e.direction == qmp::Direction::to_qemu) asked = m->command_name() == name;
      if (asked && e.direction == qmp::Direction::from_qemu && !m->is_event()) return CommandReply::from_message(*m);
    }
  ADD_FAILURE() << "no reply to " << name << " in " << file;
  return CommandReply::transport_error("not recorded");
}

CommandReply started_reply() {
  auto d = qmp::decode_line(R"({"return":{}})", 1, qmp::Clock::now());
  return CommandReply::from_message(*d.message);
}

TEST(Qemu10Shapes, AReadyMirrorInQueryBlockJobsIsReady) {
  JobConfig cfg;
  cfg.job_id = "job1";
  cfg.end_mode = EndMode::manual;
  JobStateMachine m(cfg);
  m.start();
  m.on_reply(Command::start, started_reply());
  m.on_reply(Command::query_block_jobs, recorded_reply("qemu-10.0-query-block-jobs-ready.qmpt", "query-block-jobs"));
  EXPECT_EQ(m.status(), JobStatus::ready);
  EXPECT_TRUE(m.ready());
  EXPECT_FALSE(m.done());
}

}  // namespace
}  // namespace mirror
