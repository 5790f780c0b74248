#include "trace/checker.hpp"
#include "trace/libvirt_import.hpp"

#include "qmp/transcript_reader.hpp"

#include "fixture_files.hpp"
#include "transcript_builder.hpp"

#include <gtest/gtest.h>

namespace {

using trace::Finding;
using trace::Severity;
using trace_test::cmd;
using trace_test::jsc;
using trace_test::ret;
using trace_test::TranscriptBuilder;

constexpr const char* kMirror = R"({"job-id":"job0","device":"drive0","target":"tgt","sync":"full"})";
constexpr const char* kManualMirror =
    R"({"job-id":"job0","device":"drive0","target":"tgt","sync":"full","auto-finalize":false,"auto-dismiss":false})";

// greeting, capabilities, blockdev-mirror with `args`, created, running, its reply.
TranscriptBuilder started(const char* args = kMirror) {
  TranscriptBuilder b;
  b.greeting().capabilities().to(cmd("blockdev-mirror", args, "m")).from(jsc("created")).from(jsc("running")).from(
      ret("m"));
  return b;
}

std::string rules(const std::vector<Finding>& f) {
  std::string out;
  for (const auto& x : f) out += x.rule + "@" + std::to_string(x.seq) + " ";
  return out;
}

TEST(Checker, CompletionBeforeReadyIsAnError) {
  auto b = started();
  const auto seq = b.next_seq();
  b.to(cmd("block-job-complete", R"({"device":"job0"})", "c"))
      .from(R"({"error":{"class":"GenericError","desc":"Job 'job0' in state 'running' cannot accept command verb 'complete'"},"id":"c"})");
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 1u) << rules(f);
  EXPECT_EQ(f[0].rule, "completion-not-ready");
  EXPECT_EQ(f[0].severity, Severity::error);
  EXPECT_EQ(f[0].seq, seq);
  EXPECT_EQ(f[0].t, std::chrono::microseconds(100 * (seq - 1)));
  EXPECT_NE(f[0].explanation.find("while it was running"), std::string::npos) << f[0].explanation;
}

TEST(Checker, CompletionInReadyOrStandbyIsFine) {
  for (const char* state : {"ready", "standby"}) {
    auto b = started();
    b.from(jsc("ready"));
    if (std::string(state) == "standby") b.from(jsc("standby"));
    b.to(cmd("job-complete", R"({"id":"job0"})", "c")).from(ret("c")).from(jsc("waiting")).from(jsc("pending"));
    b.from(R"({"event":"BLOCK_JOB_COMPLETED","data":{"device":"job0","len":4,"offset":4,"speed":0,"type":"mirror"}})");
    b.from(jsc("concluded")).from(jsc("null"));
    EXPECT_TRUE(trace::check_transcript(b.build()).empty()) << state << ": " << rules(trace::check_transcript(b.build()));
  }
}

constexpr const char* kPollOffsetIsLen =
    R"({"return":[{"device":"job0","len":1048576,"offset":1048576,"ready":false,"status":"running","type":"mirror","busy":true,"paused":false,"speed":0,"io-status":"ok"}],"id":"q"})";

TEST(Checker, CompletionRightAfterAPollShowingOffsetEqualsLen) {
  auto b = started();
  b.to(cmd("query-block-jobs", "", "q")).from(kPollOffsetIsLen);
  const auto seq = b.next_seq();
  b.to(cmd("block-job-complete", R"({"device":"job0"})", "c"));
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 2u) << rules(f);
  EXPECT_EQ(f[0].rule, "completion-on-offset");
  EXPECT_EQ(f[0].seq, seq);
  EXPECT_NE(f[0].explanation.find("reply #" + std::to_string(seq - 1)), std::string::npos) << f[0].explanation;
  EXPECT_EQ(f[1].rule, "completion-not-ready");
}

TEST(Checker, OffsetEqualsLenThenReadyIsNotFlagged) {
  auto b = started();
  b.to(cmd("query-block-jobs", "", "q")).from(kPollOffsetIsLen).from(jsc("ready"));
  b.to(cmd("block-job-complete", R"({"device":"job0"})", "c")).from(ret("c"));
  EXPECT_TRUE(trace::check_transcript(b.build()).empty());
}

TEST(Checker, OffsetEqualsLenFollowedByOtherCommandsIsOnlyNotReady) {
  auto b = started();
  b.to(cmd("query-block-jobs", "", "q")).from(kPollOffsetIsLen).to(cmd("query-jobs", "", "j"));
  b.from(R"({"return":[{"id":"job0","status":"running","type":"mirror","current-progress":1,"total-progress":1}],"id":"j"})");
  b.to(cmd("block-job-complete", R"({"device":"job0"})", "c"));
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 1u) << rules(f);
  EXPECT_EQ(f[0].rule, "completion-not-ready");
}

TEST(Checker, CommandBeforeCapabilities) {
  TranscriptBuilder b;
  b.greeting().to(cmd("query-status", "", "s"));
  b.from(R"({"error":{"class":"CommandNotFound","desc":"Expecting capabilities negotiation with 'qmp_capabilities'"},"id":"s"})");
  b.to(cmd("query-version", "", "v"));
  b.from(R"({"error":{"class":"CommandNotFound","desc":"Expecting capabilities negotiation with 'qmp_capabilities'"},"id":"v"})");
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 1u) << rules(f);  // reported once
  EXPECT_EQ(f[0].rule, "command-before-capabilities");
  EXPECT_EQ(f[0].seq, 2u);

  TranscriptBuilder mid;  // no greeting: the recording starts mid-session
  mid.to(cmd("query-status", "", "s")).from(ret("s"));
  EXPECT_TRUE(trace::check_transcript(mid.build()).empty());
}

TEST(Checker, RepliesWithIdsNeverSentOrAnsweredTwice) {
  TranscriptBuilder b;
  b.greeting().capabilities().to(cmd("query-status", "", "s")).from(ret("s")).from(ret("s")).from(ret("zz"));
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 2u) << rules(f);
  EXPECT_EQ(f[0].rule, "unknown-reply-id");
  EXPECT_EQ(f[0].seq, 6u);
  EXPECT_NE(f[0].explanation.find("already answered"), std::string::npos);
  EXPECT_EQ(f[1].seq, 7u);
  EXPECT_NE(f[1].explanation.find("never sent"), std::string::npos);
  EXPECT_EQ(f[1].severity, Severity::error);

  TranscriptBuilder mid;
  mid.from(ret("libvirt-3")).to(cmd("query-status", "", "libvirt-4")).from(ret("libvirt-4"));
  const auto g = trace::check_transcript(mid.build());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].severity, Severity::warning);

  TranscriptBuilder no_id;  // commands without id are answered without id, in order
  no_id.greeting().capabilities().to(R"({"execute":"stop"})").from(R"({"return":{}})");
  EXPECT_TRUE(trace::check_transcript(no_id.build()).empty());
}

TEST(Checker, FinalizeAndDismissOnlyInTheirStates) {
  auto b = started(kManualMirror);
  b.from(jsc("ready"));
  const auto early_dismiss = b.next_seq();
  b.to(cmd("job-dismiss", R"({"id":"job0"})", "d1"));
  b.from(R"({"error":{"class":"GenericError","desc":"Job 'job0' in state 'ready' cannot accept command verb 'dismiss'"},"id":"d1"})");
  const auto early_finalize = b.next_seq();
  b.to(cmd("job-finalize", R"({"id":"job0"})", "f1"));
  b.from(R"({"error":{"class":"GenericError","desc":"Job 'job0' in state 'ready' cannot accept command verb 'finalize'"},"id":"f1"})");
  b.to(cmd("job-complete", R"({"id":"job0"})", "c")).from(ret("c")).from(jsc("waiting")).from(jsc("pending"));
  const auto dismiss_in_pending = b.next_seq();
  b.to(cmd("block-job-dismiss", R"({"id":"job0"})", "d2"));
  b.from(R"({"error":{"class":"GenericError","desc":"Job 'job0' in state 'pending' cannot accept command verb 'dismiss'"},"id":"d2"})");
  b.to(cmd("job-finalize", R"({"id":"job0"})", "f2")).from(jsc("concluded")).from(ret("f2"));
  b.to(cmd("job-dismiss", R"({"id":"job0"})", "d3")).from(jsc("null")).from(ret("d3"));
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 3u) << rules(f);
  EXPECT_EQ(f[0].rule, "dismiss-wrong-state");
  EXPECT_EQ(f[0].seq, early_dismiss);
  EXPECT_EQ(f[1].rule, "finalize-wrong-state");
  EXPECT_EQ(f[1].seq, early_finalize);
  EXPECT_EQ(f[2].rule, "dismiss-wrong-state");
  EXPECT_EQ(f[2].seq, dismiss_in_pending);
  EXPECT_NE(f[2].explanation.find("while it was pending"), std::string::npos);
}

TEST(Checker, ConcludedJobNeverDismissed) {
  auto b = started(kManualMirror);
  b.from(jsc("aborting"));
  const auto concluded = b.next_seq();
  b.from(jsc("concluded"));
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 1u) << rules(f);
  EXPECT_EQ(f[0].rule, "concluded-not-dismissed");
  EXPECT_EQ(f[0].severity, Severity::warning);
  EXPECT_EQ(f[0].seq, concluded);

  auto auto_dismissed = started();  // auto-dismiss true: QEMU dismisses it
  auto_dismissed.from(jsc("aborting")).from(jsc("concluded"));
  EXPECT_TRUE(trace::check_transcript(auto_dismissed.build()).empty());
}

TEST(Checker, AutoDismissOffLearnedFromAPoll) {
  TranscriptBuilder b;  // the recording starts after the job was created
  b.to(cmd("query-block-jobs", "", "q"));
  b.from(R"({"return":[{"device":"job0","auto-dismiss":false,"auto-finalize":true,"len":4,"offset":1,"ready":false,"status":"running","type":"mirror"}],"id":"q"})");
  b.from(jsc("aborting"));
  b.from(jsc("concluded"));
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 1u) << rules(f);
  EXPECT_EQ(f[0].rule, "concluded-not-dismissed");
  EXPECT_EQ(f[0].seq, 4u);
}

constexpr const char* kStopError =
    R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"stop"}})";

TEST(Checker, StoppedByAnErrorAndNeverResumed) {
  auto b = started();
  const auto first = b.next_seq();
  b.from(kStopError).from(kStopError).from(jsc("paused"));
  const auto f = trace::check_transcript(b.build());
  ASSERT_EQ(f.size(), 1u) << rules(f);
  EXPECT_EQ(f[0].rule, "error-not-handled");
  EXPECT_EQ(f[0].seq, first);
  EXPECT_NE(f[0].explanation.find("2 times"), std::string::npos) << f[0].explanation;

  auto resumed = started();
  resumed.from(kStopError).from(jsc("paused")).to(cmd("job-resume", R"({"id":"job0"})", "r")).from(ret("r"));
  resumed.from(jsc("running"));
  EXPECT_TRUE(trace::check_transcript(resumed.build()).empty());

  auto cancelled = started();
  cancelled.from(kStopError).to(cmd("block-job-cancel", R"({"device":"job0","force":true})", "x")).from(ret("x"));
  EXPECT_TRUE(trace::check_transcript(cancelled.build()).empty());

  auto reported = started();  // action report: QEMU ends the job itself
  reported.from(R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"report"}})");
  reported.from(jsc("aborting"));
  EXPECT_TRUE(trace::check_transcript(reported.build()).empty());
}

TEST(Checker, NoFalsePositivesOnRecordings) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto monitors = trace::import_libvirt_log_file(trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log"), {},
                                                 ec, diag);
  ASSERT_TRUE(monitors) << diag.what;
  for (const auto& m : *monitors) {
    const auto f = trace::check_transcript(m.transcript);
    EXPECT_TRUE(f.empty()) << m.monitor << ":\n" << trace::render_findings(f);
  }
  for (const char* log : {"old-io-process-split.log", "two-monitors.log", "libvirt9-greeting.log"}) {
    auto imported = trace::import_libvirt_log_file(trace_test::fixture(std::string("libvirt/") + log), {}, ec, diag);
    ASSERT_TRUE(imported) << diag.what;
    for (const auto& m : *imported) {
      const auto f = trace::check_transcript(m.transcript);
      EXPECT_TRUE(f.empty()) << log << ":\n" << trace::render_findings(f);
    }
  }
  auto t = qmp::read_transcript_file(trace_test::fixture("transcripts/mirror-pivot.qmpt"), ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_TRUE(trace::check_transcript(*t).empty());
}

TEST(Checker, RenderingNamesRuleSeqAndTime) {
  auto b = started();
  b.to(cmd("block-job-complete", R"({"device":"job0"})", "c"));
  const std::string text = trace::render_findings(trace::check_transcript(b.build()));
  EXPECT_NE(text.find("error   seq 8      t=0.000700 s  completion-not-ready: block-job-complete for job 'job0'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 error(s), 0 warning(s)"), std::string::npos) << text;
}

}  // namespace
