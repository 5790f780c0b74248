#include "trace/libvirt_import.hpp"
#include "trace/timeline.hpp"

#include "qmp/transcript_reader.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;

std::vector<trace::ImportedMonitor> import(const std::string& name) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto r = trace::import_libvirt_log_file(trace_test::fixture("libvirt/" + name), {}, ec, diag);
  EXPECT_TRUE(r) << diag.what;
  return r ? std::move(*r) : std::vector<trace::ImportedMonitor>{};
}

const trace::JobTimeline* job(const trace::Timeline& t, const std::string& id) {
  for (const auto& j : t.jobs) {
    if (j.id == id) return &j;
  }
  return nullptr;
}

std::vector<std::string> statuses(const trace::JobTimeline& j) {
  std::vector<std::string> out;
  for (const auto& s : j.states) out.push_back(s.status);
  return out;
}

// Expected values are read off the log's timestamps (milliseconds):
//   run 1 (mon 0x7fa1f0006740, first message 17:05:26.222): IO_WRITE blockdev-mirror 26.231, RECV_EVENT
//   JOB_STATUS_CHANGE ready 26.366, RECV_REPLY of the poll showing ready 26.736, IO_WRITE job-complete 26.738,
//   RECV_EVENT BLOCK_JOB_COMPLETED 26.741.
//   run 2 (mon 0x7fa1f0006b90, first message 17:05:30.009): 30.018, ready 30.392, poll 30.526, job-complete 30.528,
//   BLOCK_JOB_COMPLETED 30.529.
TEST(Timeline, SampleLogShowsVirshPivotDelay) {
  const auto monitors = import("libvirt-9.0-blockcopy-debug.log");
  ASSERT_EQ(monitors.size(), 2u);
  struct Expected {
    microseconds start, ready, polled, complete_sent, completed;
  };
  const Expected expected[] = {{9000us, 144000us, 514000us, 516000us, 519000us},
                               {9000us, 383000us, 517000us, 519000us, 520000us}};
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run);
    const trace::Timeline tl = trace::build_timeline(monitors[run].transcript);
    ASSERT_EQ(tl.jobs.size(), 2u);
    EXPECT_EQ(tl.jobs[0].id, "create-libvirt-2-format");
    const trace::JobTimeline* j = job(tl, "copy-vda-libvirt-1-format");
    ASSERT_NE(j, nullptr);
    const Expected& x = expected[run];
    EXPECT_EQ(j->type, "mirror");
    EXPECT_EQ(j->created_by, "blockdev-mirror");
    ASSERT_TRUE(j->start && j->ready && j->ready_polled && j->completion_sent && j->completed);
    EXPECT_EQ(j->start->t, x.start);
    EXPECT_EQ(j->ready->t, x.ready);
    EXPECT_EQ(j->ready_polled->t, x.polled);
    EXPECT_EQ(j->completion_sent->t, x.complete_sent);
    EXPECT_EQ(j->completion_command, "job-complete");
    EXPECT_EQ(j->completed->t, x.completed);
    EXPECT_EQ(j->outcome, "completed");
    EXPECT_EQ(j->start_to_ready(), x.ready - x.start);
    EXPECT_EQ(j->ready_to_completion_sent(), x.complete_sent - x.ready);
    EXPECT_EQ(j->completion_sent_to_completed(), x.completed - x.complete_sent);
    EXPECT_EQ(j->polls, 3u);  // two query-block-jobs, then query-jobs once concluded
    EXPECT_EQ(statuses(*j), (std::vector<std::string>{"created", "running", "ready", "standby", "ready", "waiting",
                                                      "pending", "concluded", "null"}));
  }
  // The numbers that matter: 135 ms to ready and a 372 ms pivot delay in run 1; 374 ms and 136 ms in run 2.
  const trace::Timeline run1 = trace::build_timeline(monitors[0].transcript);
  EXPECT_EQ(job(run1, "copy-vda-libvirt-1-format")->ready_to_completion_sent(), 372ms);
}

TEST(Timeline, CreateJobsHaveNoReadyPhase) {
  const auto monitors = import("libvirt-9.0-blockcopy-debug.log");
  ASSERT_FALSE(monitors.empty());
  const trace::Timeline tl = trace::build_timeline(monitors[0].transcript);
  const trace::JobTimeline* j = job(tl, "create-libvirt-2-format");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->created_by, "blockdev-create");
  EXPECT_EQ(j->type, "create");  // from the query-jobs reply
  EXPECT_EQ(j->start->t, 3000us);  // IO_WRITE 26.225
  EXPECT_FALSE(j->ready);
  EXPECT_FALSE(j->completion_sent);
  ASSERT_TRUE(j->completed);
  EXPECT_EQ(j->completed->t, 6000us);  // concluded at 26.228
  EXPECT_EQ(j->outcome, "concluded");
  EXPECT_EQ(statuses(*j),
            (std::vector<std::string>{"created", "running", "waiting", "pending", "concluded", "null"}));
}

TEST(Timeline, OldFormatLog) {
  const auto monitors = import("old-io-process-split.log");
  ASSERT_EQ(monitors.size(), 1u);
  const trace::Timeline tl = trace::build_timeline(monitors[0].transcript);
  ASSERT_EQ(tl.jobs.size(), 1u);
  const trace::JobTimeline& j = tl.jobs[0];
  EXPECT_EQ(j.id, "drive-virtio-disk0");  // drive-mirror without job-id: the device name
  EXPECT_EQ(j.created_by, "drive-mirror");
  // 10:00:00.201 (rest of the short write), ready 01.150, block-job-complete 01.201, BLOCK_JOB_COMPLETED 01.203
  EXPECT_EQ(j.start_to_ready(), 949ms);
  EXPECT_EQ(j.ready_to_completion_sent(), 51ms);
  EXPECT_EQ(j.completion_sent_to_completed(), 2ms);
  EXPECT_EQ(j.completion_command, "block-job-complete");
  EXPECT_EQ(j.ready_polled->t, 1101000us);
}

qmp::Transcript parse(const std::string& text) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::parse_transcript(text, ec, diag);
  EXPECT_TRUE(t) << diag.what;
  return t ? std::move(*t) : qmp::Transcript{};
}

std::string line(int seq, int t, const char* dir, const std::string& msg) {
  return R"({"seq":)" + std::to_string(seq) + R"(,"t_us":)" + std::to_string(t) + R"(,"dir":")" + dir +
         R"(","msg":)" + msg + "}\n";
}
std::string jsc(const char* status, const char* id = "job0") {
  return std::string(R"({"event":"JOB_STATUS_CHANGE","data":{"status":")") + status + R"(","id":")" + id + "\"}}";
}

TEST(Timeline, ReusedJobIdsAreSeparateJobsAndCancelIsAnOutcome) {
  std::string text = R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n";
  int seq = 0;
  const auto add = [&](int t, const char* dir, const std::string& msg) { text += line(++seq, t, dir, msg); };
  add(0, "to-qemu", R"({"execute":"drive-mirror","arguments":{"device":"d0","job-id":"job0","target":"t","sync":"full"},"id":1})");
  add(10, "from-qemu", jsc("created"));
  add(20, "from-qemu", jsc("running"));
  add(30, "from-qemu", R"({"return":{},"id":1})");
  add(40, "to-qemu", R"({"execute":"block-job-cancel","arguments":{"device":"job0"},"id":2})");
  add(50, "from-qemu", R"({"return":{},"id":2})");
  add(60, "from-qemu", jsc("aborting"));
  add(70, "from-qemu", R"({"event":"BLOCK_JOB_CANCELLED","data":{"device":"job0","len":10,"offset":3,"speed":0,"type":"mirror"}})");
  add(80, "from-qemu", jsc("concluded"));
  add(90, "from-qemu", jsc("null"));
  add(100, "to-qemu", R"({"execute":"blockdev-mirror","arguments":{"device":"d0","job-id":"job0","target":"t","sync":"full"},"id":3})");
  add(110, "from-qemu", jsc("created"));
  add(120, "from-qemu", jsc("running"));
  add(130, "from-qemu", R"({"return":{},"id":3})");
  add(1130, "from-qemu", jsc("ready"));
  add(1200, "from-qemu", R"({"event":"BLOCK_JOB_ERROR","data":{"device":"job0","operation":"write","action":"report"}})");
  add(1210, "from-qemu", jsc("aborting"));
  add(1220, "from-qemu", R"({"event":"BLOCK_JOB_COMPLETED","data":{"device":"job0","len":10,"offset":3,"speed":0,"type":"mirror","error":"Input/output error"}})");
  const trace::Timeline tl = trace::build_timeline(parse(text));
  ASSERT_EQ(tl.jobs.size(), 2u);
  EXPECT_EQ(tl.jobs[0].outcome, "cancelled");
  EXPECT_EQ(tl.jobs[0].created_by, "drive-mirror");
  EXPECT_EQ(tl.jobs[0].completed->t, 70us);
  EXPECT_FALSE(tl.jobs[0].ready);
  EXPECT_EQ(tl.jobs[1].created_by, "blockdev-mirror");
  EXPECT_EQ(tl.jobs[1].start->t, 100us);
  EXPECT_EQ(tl.jobs[1].start_to_ready(), 1030us);
  EXPECT_EQ(tl.jobs[1].outcome, "failed: Input/output error");
  EXPECT_FALSE(tl.jobs[1].ready_to_completion_sent());
}

TEST(Timeline, ARefusedStartIsNotTheStartOfTheNextJob) {
  std::string text = R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n";
  int seq = 0;
  const auto add = [&](int t, const char* dir, const std::string& msg) { text += line(++seq, t, dir, msg); };
  add(0, "to-qemu", R"({"execute":"blockdev-mirror","arguments":{"device":"d0","job-id":"job0","target":"t","sync":"full"},"id":1})");
  add(10, "from-qemu", R"({"error":{"class":"GenericError","desc":"Cannot find device='d0' nor node-name='d0'"},"id":1})");
  // A job whose creation the recording does not show (another client): its start is its first sign, not the
  // refused command.
  add(510, "from-qemu", jsc("created"));
  const trace::Timeline tl = trace::build_timeline(parse(text));
  ASSERT_EQ(tl.jobs.size(), 1u);
  EXPECT_EQ(tl.jobs[0].start->t, 510us);
  EXPECT_EQ(tl.jobs[0].created_by, "");
}

TEST(Timeline, JobsCreatedInATransaction) {
  std::string text = R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n";
  int seq = 0;
  const auto add = [&](int t, const char* dir, const std::string& msg) { text += line(++seq, t, dir, msg); };
  add(100, "to-qemu", R"({"execute":"transaction","arguments":{"actions":[{"type":"block-dirty-bitmap-add","data":{"node":"n","name":"b"}},{"type":"blockdev-backup","data":{"job-id":"bk0","device":"d1","target":"t","sync":"full"}}]},"id":2})");
  add(110, "from-qemu", jsc("created", "bk0"));
  const trace::Timeline tl = trace::build_timeline(parse(text));
  ASSERT_EQ(tl.jobs.size(), 1u);
  EXPECT_EQ(tl.jobs[0].id, "bk0");
  EXPECT_EQ(tl.jobs[0].start->t, 100us);
  EXPECT_EQ(tl.jobs[0].created_by, "transaction/blockdev-backup");
}

TEST(Timeline, RenderingShowsStatesAndLatencies) {
  const auto monitors = import("libvirt-9.0-blockcopy-debug.log");
  ASSERT_FALSE(monitors.empty());
  const std::string text =
      trace::render_timeline(trace::build_timeline(monitors[0].transcript), monitors[0].transcript.header);
  EXPECT_NE(text.find("transcript from libvirt-log, monitor 0x7fa1f0006740, QEMU version unknown, started "
                      "2026-11-25T17:05:26.222000Z"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("job copy-vda-libvirt-1-format (mirror, blockdev-mirror): completed"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  start -> ready:                       135.000 ms\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  ready -> job-complete sent:           372.000 ms  (a poll first showed it ready "
                      "370.000 ms after ready)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  job-complete sent -> completed:         3.000 ms\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  start -> ready:                                -\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  0.144000"), std::string::npos) << text;
  EXPECT_NE(text.find("status standby"), std::string::npos) << text;
}

TEST(Timeline, CommittedTranscriptExample) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(trace_test::fixture("transcripts/mirror-pivot.qmpt"), ec, diag);
  ASSERT_TRUE(t) << diag.what;
  const trace::Timeline tl = trace::build_timeline(*t);
  ASSERT_EQ(tl.jobs.size(), 1u);
  EXPECT_EQ(tl.jobs[0].start_to_ready(), 63300us);
  EXPECT_EQ(tl.jobs[0].ready_to_completion_sent(), 300us);
  EXPECT_EQ(tl.jobs[0].completion_sent_to_completed(), 720us);
}

}  // namespace
