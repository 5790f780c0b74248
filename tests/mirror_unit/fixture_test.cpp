// Every recorded event stream in fixtures/events, and every block job recorded against a real QEMU in
// fixtures/transcripts, replayed as recorded and under each reordering QEMU allows.
#include "fixture_replay.hpp"
#include "transcript_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <utility>

namespace mirror::test {
namespace {

std::string show(const ReplayResult& r) {
  std::string s = r.failure + "\n";
  for (const auto& l : r.log) s += l + "\n";
  return s;
}

std::string outcome_of(const ReplayResult& r) {
  return r.result ? describe(*r.result) : std::string("running");
}

// A fixtures/events file, or the file name of one of transcript_cases().
Fixture load(const std::string& param) {
  for (const auto& c : transcript_cases())
    if (c.file == param) return transcript_fixture(c);
  return load_fixture(param);
}

class EventFixture : public ::testing::TestWithParam<std::string> {
 protected:
  Fixture fixture = load(GetParam());
};

TEST_P(EventFixture, ReplaysAsRecorded) {
  auto r = replay(fixture.steps);
  EXPECT_TRUE(r.ok) << show(r);
}

// QMP answers commands in order, but a command's reply may come before or after the job events that happen
// meanwhile (JOB_STATUS_CHANGE created/running always came first; READY can too). Move every reply to each
// position between its command and the next thing that is not an event.
// Every variant of `steps` with one reply moved to another position it could have had.
std::vector<std::pair<std::string, std::vector<Step>>> reply_position_variants(const std::vector<Step>& steps) {
  std::vector<std::pair<std::string, std::vector<Step>>> out;
  std::vector<std::size_t> outs, replies;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].kind == Step::Kind::out) outs.push_back(i);
    if (steps[i].is_reply()) replies.push_back(i);
  }
  // Replies answer the "out" commands in order.
  for (std::size_t k = 0; k < replies.size() && k < outs.size(); ++k) {
    const std::size_t r = replies[k];
    std::size_t lo = outs[k] + 1;
    if (k > 0) lo = std::max(lo, replies[k - 1] + 1);
    for (std::size_t b = lo; b < r; ++b)
      if (steps[b].is_barrier()) lo = b + 1;  // not across a check, request or deadline
    std::size_t hi = r + 1;
    while (hi < steps.size() && !steps[hi].is_barrier()) ++hi;  // first barrier after r
    if (k + 1 < replies.size()) hi = std::min(hi, replies[k + 1]);  // replies keep their order
    for (std::size_t p = lo; p < hi; ++p) {
      if (p == r) continue;
      std::vector<Step> v;
      for (std::size_t i = 0; i < steps.size(); ++i) {
        if (i == r) continue;
        if (i == p && p < r) v.push_back(steps[r]);
        v.push_back(steps[i]);
        if (i == p && p > r) v.push_back(steps[r]);
      }
      out.emplace_back("reply at line " + std::to_string(steps[r].line) + " moved next to line " +
                           std::to_string(steps[p].line),
                       std::move(v));
    }
  }
  return out;
}

// QMP answers commands in order, but a command's reply may come before or after the job events that happen
// meanwhile (JOB_STATUS_CHANGE created/running always came first; READY can too). Move every reply to each
// position between its command and the next thing that is not an event.
TEST_P(EventFixture, SameEndWithEachReplyAtEachPositionAmongTheEvents) {
  const auto base = replay(fixture.steps);
  ASSERT_TRUE(base.ok) << show(base);
  for (const auto& [what, steps] : reply_position_variants(fixture.steps)) {
    auto res = replay(steps);
    EXPECT_TRUE(res.ok) << what << ": " << show(res);
    EXPECT_EQ(outcome_of(res), outcome_of(base)) << what;
    EXPECT_EQ(res.commands, base.commands) << what;
  }
}

TEST(EventFixtures, ReplyPerturbationsCoverEveryPosition) {
  // normal_pivot: the start reply can sit before created, between created and running, after running (as
  // recorded), after JSC ready or after BLOCK_JOB_READY; the complete reply before or after each of the five
  // events that follow it.
  auto f = load_fixture(fixtures_dir() + "/normal_pivot.jsonl");
  EXPECT_EQ(reply_position_variants(f.steps).size(), 4u + 5u);
}

// Events of other jobs, at any point, change nothing.
TEST_P(EventFixture, SameEndWithOtherJobsEventsAnywhere) {
  const auto base = replay(fixture.steps);
  ASSERT_TRUE(base.ok) << show(base);
  const std::vector<std::string> foreign = {
      R"({"in":{"event":"JOB_STATUS_CHANGE","data":{"status":"ready","id":"other"}}})",
      R"({"in":{"event":"BLOCK_JOB_READY","data":{"device":"other","len":1,"offset":1,"speed":0,"type":"mirror"}}})",
      R"({"in":{"event":"BLOCK_JOB_ERROR","data":{"device":"other","operation":"write","action":"stop"}}})",
      R"({"in":{"event":"BLOCK_JOB_COMPLETED","data":{"device":"other","len":1,"offset":1,"speed":0,"type":"mirror","error":"x"}}})",
      R"({"in":{"event":"BLOCK_JOB_CANCELLED","data":{"device":"other","len":1,"offset":0,"speed":0,"type":"mirror"}}})",
      R"({"in":{"event":"JOB_STATUS_CHANGE","data":{"status":"null","id":"other"}}})",
  };
  for (std::size_t p = 1; p < fixture.steps.size(); ++p) {
    std::vector<Step> v(fixture.steps.begin(), fixture.steps.begin() + static_cast<std::ptrdiff_t>(p));
    for (const auto& f : foreign) v.push_back(make_step(f));
    v.insert(v.end(), fixture.steps.begin() + static_cast<std::ptrdiff_t>(p), fixture.steps.end());
    auto res = replay(v);
    EXPECT_TRUE(res.ok) << "foreign events before line " << fixture.steps[p].line << ": " << show(res);
    EXPECT_EQ(outcome_of(res), outcome_of(base));
  }
}

// A poll reporting offset == len while the job is still running, at every point where the job runs, never makes
// it ready.
TEST_P(EventFixture, SameEndWithAFullProgressPollWhileRunning) {
  const auto base = replay(fixture.steps);
  ASSERT_TRUE(base.ok) << show(base);
  for (std::size_t at = 1; at < fixture.steps.size(); ++at) {
    bool fed = false;
    Hooks hooks;
    hooks.after_step = [&](std::size_t i, const Step&, const JobStateMachine& m, const auto&, const auto& feed_poll) {
      if (i != at || m.done() || m.status() != JobStatus::running) return;
      fed = true;
      const bool was_ready = m.ready();
      feed_poll(R"([{"auto-finalize":true,"io-status":"ok","device":"job0","auto-dismiss":true,"busy":true,)"
                R"("len":16777216,"offset":16777216,"status":"running","paused":false,"speed":0,"ready":false,)"
                R"("type":"mirror"}])");
      EXPECT_EQ(m.ready(), was_ready) << "a full-progress poll changed readiness";
    };
    auto res = replay(fixture.steps, hooks);
    if (!fed) continue;
    EXPECT_TRUE(res.ok) << "poll after line " << fixture.steps[at].line << ": " << show(res);
    EXPECT_EQ(outcome_of(res), outcome_of(base));
    EXPECT_EQ(res.commands, base.commands);
  }
}

// QEMU can write a query's reply after events that followed its computation. After every status change, a poll
// still reporting the status before it changes nothing, and a job reported ready is never back before ready.
TEST_P(EventFixture, SameEndWithALatePollAfterEachStatusChange) {
  const auto base = replay(fixture.steps);
  ASSERT_TRUE(base.ok) << show(base);
  for (std::size_t at = 1; at < fixture.steps.size(); ++at) {
    bool fed = false;
    JobStatus before = JobStatus::unknown;
    Hooks hooks;
    hooks.after_step = [&](std::size_t i, const Step&, const JobStateMachine& m, const auto&, const auto& feed_poll) {
      const JobStatus was = std::exchange(before, m.status());
      if (i != at || m.done() || was == m.status() || was == JobStatus::unknown || was == JobStatus::null) return;
      fed = true;
      const bool paused = was == JobStatus::paused || was == JobStatus::standby;
      feed_poll(std::string(R"([{"device":"job0","type":"mirror","busy":false,"len":16777216,"offset":1048576,)") +
                R"("speed":0,"status":")" + to_string(was) + R"(","paused":)" + (paused ? "true" : "false") +
                R"(,"io-status":")" + (was == JobStatus::paused ? "failed" : "ok") + R"(","ready":)" +
                (is_ready_status(was) ? "true" : "false") + "}]");
      before = m.status();
      const JobStatus now = m.status();
      EXPECT_FALSE(m.ready() && (now == JobStatus::created || now == JobStatus::running || now == JobStatus::paused))
          << "ready, but back in " << to_string(now);
    };
    auto res = replay(fixture.steps, hooks);
    if (!fed) continue;
    EXPECT_TRUE(res.ok) << "late poll after line " << fixture.steps[at].line << ": " << show(res);
    EXPECT_EQ(outcome_of(res), outcome_of(base)) << "late poll after line " << fixture.steps[at].line;
    EXPECT_EQ(res.commands, base.commands) << "late poll after line " << fixture.steps[at].line;
  }
}

// Drains blip ready -> standby -> ready at any time while the job is ready.
TEST_P(EventFixture, SameEndWithADrainBlipWhileReady) {
  const auto base = replay(fixture.steps);
  ASSERT_TRUE(base.ok) << show(base);
  for (std::size_t at = 1; at < fixture.steps.size(); ++at) {
    bool fed = false;
    Hooks hooks;
    hooks.after_step = [&](std::size_t i, const Step& s, const JobStateMachine& m, const auto& feed_event,
                           const auto&) {
      if (i != at || m.done() || m.status() != JobStatus::ready || m.paused_by_error()) return;
      if (s.is_event() && s.text.find("BLOCK_JOB_ERROR") != std::string::npos) return;
      fed = true;
      feed_event(R"({"event":"JOB_STATUS_CHANGE","data":{"status":"standby","id":"job0"}})");
      feed_event(R"({"event":"JOB_STATUS_CHANGE","data":{"status":"ready","id":"job0"}})");
    };
    auto res = replay(fixture.steps, hooks);
    if (!fed) continue;
    EXPECT_TRUE(res.ok) << "blip after line " << fixture.steps[at].line << ": " << show(res);
    EXPECT_EQ(outcome_of(res), outcome_of(base));
    EXPECT_EQ(res.commands, base.commands);
  }
}

std::string fixture_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';  // "qemu-7.2-stream" -> "qemu_7_2_stream"
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EventFixture, ::testing::ValuesIn(fixture_files()), fixture_name);

std::vector<std::string> transcript_files() {
  std::vector<std::string> out;
  for (const auto& c : transcript_cases()) out.push_back(c.file);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Transcripts, EventFixture, ::testing::ValuesIn(transcript_files()), fixture_name);

TEST(TranscriptFixtures, EveryRecordedBlockJobIsReplayed) {
  std::vector<std::string> listed = transcript_files(), recorded;
  for (const auto& e : std::filesystem::directory_iterator(transcripts_dir())) {
    const std::string file = e.path().filename().string();
    if (e.path().extension() != ".qmpt" ||
        std::find(listed.begin(), listed.end(), file) != listed.end())
      continue;
    // Not listed: it must start no job.
    EXPECT_THROW(transcript_fixture({file, JobKind::mirror, EndMode::pivot, Outcome::pivoted}), std::runtime_error)
        << file << " starts a block job: add it to transcript_cases()";
  }
  for (const char* kind : {"active-commit-pivot", "commit-intermediate", "stream", "backup-full",
                           "backup-incremental"})
    for (const char* version : {"7.2", "10.0"}) {
      const std::string file = std::string("qemu-") + version + "-" + kind + ".qmpt";
      EXPECT_NE(std::find(listed.begin(), listed.end(), file), listed.end()) << file;
      EXPECT_TRUE(std::filesystem::exists(transcripts_dir() + "/" + file)) << file;
    }
}

// The recordings' reply orders are only those QEMU happened to produce; the reply of the start command can sit
// before created, between created and running, and after running, and that of a job-complete before or after
// each of the five events that follow it.
TEST(TranscriptFixtures, ReplyPerturbationsCoverEveryPosition) {
  auto f = transcript_fixture(transcript_cases()[3]);
  ASSERT_EQ(transcript_cases()[3].file, "qemu-7.2-active-commit-pivot.qmpt");
  EXPECT_EQ(reply_position_variants(f.steps).size(), 4u + 5u);
  auto s = transcript_fixture({"qemu-7.2-stream.qmpt", JobKind::stream, EndMode::run, Outcome::completed});
  EXPECT_EQ(reply_position_variants(s.steps).size(), 2u + 5u);
}

TEST(EventFixtures, AllScenariosArePresent) {
  // The scenarios the job model must cover; a missing file is a failure, not a silently smaller suite.
  for (const char* name :
       {"normal_pivot", "pivot_manual_finalize_dismiss", "cancel_before_ready", "finish_after_ready",
        "force_cancel_after_ready", "pause_resume_pivot_in_standby", "drain_flaps", "eio_report",
        "eio_stop_resume_pivot", "enospc_resume", "error_after_ready", "ignore_flood_after_ready", "size_mismatch",
        "creation_failure", "duplicate_job_id", "complete_before_ready_refused", "offset_equals_len_race",
        "ready_before_start_reply", "duplicate_ready", "other_jobs_events", "resync_ready_after_gap",
        "active_commit_pivot", "active_commit_complete_before_ready_refused", "commit_intermediate", "stream_full",
        "backup_full", "backup_incremental", "attach_ready_pivot", "attach_running_then_ready"}) {
    EXPECT_TRUE(std::filesystem::exists(fixtures_dir() + "/" + name + ".jsonl")) << name;
  }
}

}  // namespace
}  // namespace mirror::test
