// Job kinds other than mirror in mirror::JobStateMachine, their start commands, and attaching to a running job.
#include "machine_inputs.hpp"

#include <mirror/start_command.hpp>

#include <gtest/gtest.h>

#include <string>

namespace mirror {
namespace {

using namespace test;

JobConfig kind_config(JobKind k, EndMode mode) {
  JobConfig cfg;
  cfg.kind = k;
  cfg.start_command = "block-stream";
  cfg.start_arguments = R"({"job-id":"job0","device":"disk0"})";
  cfg.end_mode = mode;
  return cfg;
}

TEST(JobKinds, ReadyPhaseAndQemuTypes) {
  EXPECT_TRUE(has_ready_phase(JobKind::mirror));
  EXPECT_TRUE(has_ready_phase(JobKind::active_commit));
  EXPECT_FALSE(has_ready_phase(JobKind::commit));
  EXPECT_FALSE(has_ready_phase(JobKind::stream));
  EXPECT_FALSE(has_ready_phase(JobKind::backup));
  EXPECT_STREQ(qemu_job_type(JobKind::active_commit), "commit");
  for (auto k : {JobKind::mirror, JobKind::active_commit, JobKind::commit, JobKind::stream, JobKind::backup})
    EXPECT_EQ(parse_job_kind(to_string(k)), k);
  EXPECT_FALSE(parse_job_kind("blockdev-create"));
}

TEST(JobKinds, EndModesEachKindAccepts) {
  EXPECT_FALSE(end_mode_refusal(JobKind::active_commit, EndMode::pivot));
  EXPECT_FALSE(end_mode_refusal(JobKind::stream, EndMode::run));
  EXPECT_FALSE(end_mode_refusal(JobKind::backup, EndMode::detach));
  auto why = end_mode_refusal(JobKind::stream, EndMode::pivot);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("no ready phase"), std::string::npos) << *why;
  why = end_mode_refusal(JobKind::mirror, EndMode::run);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("has a ready phase"), std::string::npos) << *why;
}

TEST(JobKinds, AJobWithoutReadyPhaseArmsTheCompletionDeadlineAndIsNeverCompleted) {
  JobStateMachine m(kind_config(JobKind::stream, EndMode::run));
  auto a = m.start();
  ASSERT_EQ(count<ArmTimer>(a), 1);
  for (const auto& x : a) {
    if (auto* t = std::get_if<ArmTimer>(&x)) {
      EXPECT_EQ(t->timer, Timer::completion);
    }
  }
  m.on_event(jsc("created"));
  m.on_event(jsc("running"));
  on_reply(m, Command::start, ok());
  a = m.request(Request::pivot);
  ASSERT_EQ(count<Refused>(a), 1);
  EXPECT_NE(std::get<Refused>(a[0]).reason.find("a stream job has no ready phase"), std::string::npos);
  EXPECT_EQ(count<Refused>(m.request(Request::wait_ready)), 1);
  m.on_event(jsc("waiting"));
  m.on_event(jsc("pending"));
  m.on_event(block_job_event("BLOCK_JOB_COMPLETED"));
  m.on_event(jsc("concluded"));
  a = m.on_event(jsc("null"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::completed);
  EXPECT_TRUE(m.result()->diagnostics.empty());
}

// The command line refuses --pivot for a stream; a machine given that pair anyway still never completes the job,
// even when QEMU says it is ready.
TEST(JobKinds, AJobWithoutReadyPhaseToldToPivotIsNotCompletedOnReady) {
  for (EndMode mode : {EndMode::pivot, EndMode::finish}) {
    auto m = started(kind_config(JobKind::stream, mode));
    auto a = m.on_event(block_job_event("BLOCK_JOB_READY"));
    EXPECT_TRUE(sent(a).empty()) << to_string(mode);
    ASSERT_TRUE(m.result()) << to_string(mode);
    EXPECT_EQ(m.result()->outcome, Outcome::ready);
    EXPECT_NE(m.result()->diagnostics.text().find("will not end by itself"), std::string::npos)
        << m.result()->diagnostics.text();
  }
}

TEST(JobKinds, AnActiveCommitPivotsLikeAMirror) {
  auto m = started(kind_config(JobKind::active_commit, EndMode::pivot));
  EXPECT_EQ(count<Refused>(m.request(Request::pivot)), 1);  // not ready yet
  auto a = m.on_event(jsc("ready"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-complete {"id":"job0"})"});
}

TEST(JobKinds, CommitBuilderUsesNodeOrFileNamesAndTellsActiveFromNot) {
  CommitOptions c;
  c.device = "disk0";
  c.job_id = "j";
  auto cmd = build_commit_command(c);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, "block-commit");
  EXPECT_EQ(cmd->kind, JobKind::active_commit);  // no top: the active layer
  EXPECT_EQ(cmd->arguments, R"({"job-id":"j","device":"disk0"})");
  c.top = ImageRef::guess("/i/mid.qcow2");
  c.base = ImageRef::guess("base0");
  c.speed = 5;
  cmd = build_commit_command(c);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->kind, JobKind::commit);
  EXPECT_EQ(cmd->arguments, R"({"job-id":"j","device":"disk0","top":"/i/mid.qcow2","base-node":"base0","speed":5})");
  c.active = true;
  EXPECT_EQ(build_commit_command(c)->kind, JobKind::active_commit);
  c.on_error = "sideways";
  std::string why;
  EXPECT_FALSE(build_commit_command(c, &why));
  EXPECT_NE(why.find("sideways"), std::string::npos);
}

TEST(JobKinds, StreamAndBackupBuilders) {
  StreamOptions s;
  s.device = "disk0";
  s.job_id = "j";
  s.base = ImageRef::guess("mid0");
  s.auto_dismiss = false;
  auto cmd = build_stream_command(s);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->arguments, R"({"job-id":"j","device":"disk0","base-node":"mid0","auto-dismiss":false})");
  EXPECT_EQ(cmd->kind, JobKind::stream);

  BackupOptions b;
  b.device = "disk0";
  b.job_id = "j";
  b.target = "bk0";
  b.sync = "incremental";
  std::string why;
  EXPECT_FALSE(build_backup_command(b, &why));
  EXPECT_NE(why.find("needs a bitmap"), std::string::npos) << why;
  b.bitmap = "bm0";
  cmd = build_backup_command(b);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, "blockdev-backup");
  EXPECT_EQ(cmd->arguments, R"({"job-id":"j","device":"disk0","target":"bk0","sync":"incremental","bitmap":"bm0"})");
  b.format = "qcow2";
  EXPECT_FALSE(build_backup_command(b, &why));  // a node has its own format
  b.target = "/b/full.qcow2";
  b.target_is_file = true;
  b.sync = "full";
  b.bitmap.reset();
  cmd = build_backup_command(b);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, "drive-backup");
  EXPECT_EQ(cmd->arguments,
            R"({"job-id":"j","device":"disk0","target":"/b/full.qcow2","sync":"full","format":"qcow2"})");
}

TEST(JobKinds, AttachSendsTheQueriesAndNothingElseUntilTheJobSaysReady) {
  JobConfig cfg;
  cfg.end_mode = EndMode::pivot;
  JobStateMachine m(cfg);
  auto a = m.attach();
  EXPECT_EQ(sent(a), (std::vector<std::string>{"query-jobs", "query-block-jobs"}));
  EXPECT_TRUE(m.start().empty());
  a = on_reply(m, Command::query_jobs,
                 ok(R"([{"id":"job0","type":"mirror","status":"running","current-progress":8,"total-progress":8}])"));
  EXPECT_TRUE(sent(a).empty());
  a = on_reply(m, Command::query_block_jobs, ok(bj("running", false, "ok", false)));
  EXPECT_TRUE(sent(a).empty());
  EXPECT_EQ(count<Refused>(m.request(Request::pivot)), 1);
  a = m.on_event(jsc("ready"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-complete {"id":"job0"})"});
}

TEST(JobKinds, AttachToAStandbyJobStoppedByAnErrorAppliesThePolicyNotAPivot) {
  JobConfig cfg;
  cfg.end_mode = EndMode::pivot;
  cfg.max_resumes = 1;
  JobStateMachine m(cfg);
  m.attach();
  on_reply(m, Command::query_jobs, ok(R"([{"id":"job0","type":"mirror","status":"standby"}])"));
  auto a = on_reply(m, Command::query_block_jobs, ok(bj("standby", true, "failed", true)));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(job-resume {"id":"job0"})"});
  EXPECT_EQ(count<PausedByError>(a), 1);
}

// QEMU before 2.12 (no query-jobs, no JOB_STATUS_CHANGE, no status in query-block-jobs): a code test, since the
// fixture perturbations insert JOB_STATUS_CHANGE, which such a QEMU never sends.
TEST(JobKinds, AttachOnQemuBefore212WaitsForBlockJobReady) {
  JobConfig cfg;
  cfg.job_commands = false;
  JobStateMachine m(cfg);
  m.attach();
  auto a = on_reply(m, Command::query_jobs, err("The command query-jobs has not been found", "CommandNotFound"));
  EXPECT_FALSE(m.done());
  a = on_reply(m, Command::query_block_jobs,
                 ok(R"([{"device":"job0","type":"mirror","len":8,"offset":8,"busy":true,"paused":false,"speed":0,)"
                    R"("io-status":"ok","ready":false}])"));
  EXPECT_TRUE(sent(a).empty());
  EXPECT_FALSE(m.ready());
  a = m.on_event(block_job_event("BLOCK_JOB_READY"));
  EXPECT_EQ(sent(a), std::vector<std::string>{R"(block-job-complete {"device":"job0"})"});
  on_reply(m, Command::complete, ok());
  m.on_event(block_job_event("BLOCK_JOB_COMPLETED"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::pivoted);
}

TEST(JobKinds, AttachOnQemuBefore212ToAJobItDoesNotListFails) {
  JobStateMachine m(JobConfig{});
  m.attach();
  on_reply(m, Command::query_jobs, err("The command query-jobs has not been found", "CommandNotFound"));
  on_reply(m, Command::query_block_jobs, ok("[]"));
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->outcome, Outcome::start_failed);
  EXPECT_NE(m.result()->diagnostics.text().find("query-block-jobs does not list it"), std::string::npos)
      << m.result()->diagnostics.text();
}

}  // namespace
}  // namespace mirror
