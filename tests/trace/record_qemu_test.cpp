// A mirror against a real QEMU, recorded with TranscriptWriter as qmpc's --trace does: the transcript reads
// back, its timeline shows the job's phases, and the checker finds nothing in a client that pivots on ready.
#include "support/deadline.hpp"
#include "support/image_tools.hpp"
#include "support/qemu_options.hpp"
#include "support/qemu_tools.hpp"
#include "support/temp_dir.hpp"

#include "trace/checker.hpp"
#include "trace/timeline.hpp"

#include "qmp/machine.hpp"
#include "qmp/session.hpp"
#include "qmp/transcript_reader.hpp"
#include "qmp/transcript_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <sys/stat.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

TEST(RecordQemu, MirrorPivotedOnReadyIsRecordedAndChecksClean) {
  if (!qmpc_test::qemu_available()) GTEST_SKIP() << "QEMU not available";
  qmpc_test::TempDir dir;
  const std::string src = dir.file("src.raw"), tgt = dir.file("tgt.raw"), trace_file = dir.file("run.qmpt");
  qmpc_test::ImageSpec spec;
  spec.format = "raw";
  spec.size = 16 * qmpc_test::MiB;
  spec.filled = 4 * qmpc_test::MiB;
  ASSERT_TRUE(qmpc_test::create_image(src, spec));
  spec.filled = 0;
  ASSERT_TRUE(qmpc_test::create_image(tgt, spec));

  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto writer = qmp::TranscriptWriter::create(trace_file, ec, diag);
  ASSERT_TRUE(writer) << diag.what;
  auto options = qmpc_test::bare_qemu(
      {"-blockdev", R"({"driver":"raw","node-name":"drive0","file":{"driver":"file","filename":")" + src + "\"}}",
       "-blockdev", R"({"driver":"raw","node-name":"tgt","file":{"driver":"file","filename":")" + tgt + "\"}}"});
  options.session.observer = writer;

  asio::io_context ioc;
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    qmp::Machine m(ioc.get_executor(), options);
    auto [sec] = co_await m.async_start(tuple_awaitable);
    EXPECT_FALSE(sec) << m.diagnostics().what;
    if (sec) co_return;
    auto& s = m.session();
    auto ready = s.subscribe(qmp::EventFilter{{"BLOCK_JOB_READY"}, {}});
    auto gone = s.subscribe(qmp::EventFilter{{"JOB_STATUS_CHANGE"}, qmp::EventFilter::data_equals("status", "null")});
    auto [mec, mr] = co_await s.async_execute(
        "blockdev-mirror", R"({"job-id":"job0","device":"drive0","target":"tgt","sync":"full"})", tuple_awaitable);
    EXPECT_FALSE(mec) << mr.diagnostics.describe(mec);
    auto [rec, rev] = co_await ready.async_next(20s, tuple_awaitable);
    EXPECT_FALSE(rec);
    auto [cec, cr] = co_await s.async_execute("block-job-complete", R"({"device":"job0"})", tuple_awaitable);
    EXPECT_FALSE(cec) << cr.diagnostics.describe(cec);
    auto [gec, gev] = co_await gone.async_next(20s, tuple_awaitable);
    EXPECT_FALSE(gec);
    auto [stec, status] = co_await m.async_stop(qmp::StopOptions{}, tuple_awaitable);
    EXPECT_FALSE(stec) << m.diagnostics().what;
  });
  EXPECT_FALSE(writer->close()) << writer->error_text();

  struct stat st {};
  ASSERT_EQ(::stat(trace_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto t = qmp::read_transcript_file(trace_file, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->header.source, "qmpc");
  EXPECT_EQ(t->header.qemu_version, qmpc_test::qemu_system_version().text);
  ASSERT_GE(t->entries.size(), 10u);
  auto first = t->entries.front().to_message();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->kind(), qmp::MessageKind::greeting);

  const trace::Timeline tl = trace::build_timeline(*t);
  ASSERT_EQ(tl.jobs.size(), 1u);
  const trace::JobTimeline& j = tl.jobs[0];
  EXPECT_EQ(j.id, "job0");
  EXPECT_EQ(j.type, "mirror");
  EXPECT_EQ(j.created_by, "blockdev-mirror");
  EXPECT_EQ(j.outcome, "completed");
  ASSERT_TRUE(j.start_to_ready() && j.ready_to_completion_sent() && j.completion_sent_to_completed());
  EXPECT_GE(j.ready_to_completion_sent()->count(), 0);
  const auto findings = trace::check_transcript(*t);
  EXPECT_TRUE(findings.empty()) << trace::render_findings(findings);
}

}  // namespace
