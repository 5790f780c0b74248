// The replay server on a real UNIX socket, driven by qmp::Session, which records the replayed session with a
// TranscriptWriter: the recording made against the replay must match the one replayed.
#include "support/deadline.hpp"

#include "trace/replay_server.hpp"
#include "trace/trace_commands.hpp"

#include "qmp/session.hpp"
#include "qmp/transcript_reader.hpp"
#include "qmp/transcript_writer.hpp"

#include "fixture_files.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct ReplayServerTest : ::testing::Test {
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("qmpc-replay-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
    qmp::error_code ec;
    qmp::Diagnostics diag;
    auto t = qmp::read_transcript_file(trace_test::fixture("transcripts/mirror-pivot.qmpt"), ec, diag);
    ASSERT_TRUE(t) << diag.what;
    recording = std::move(*t);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::filesystem::path dir;
  qmp::Transcript recording;
  asio::io_context ioc;
};

TEST_F(ReplayServerTest, ASessionReplayingTheRecordedCommandsSeesTheRecordedTraffic) {
  for (const bool paced : {false, true}) {
    SCOPED_TRACE(paced ? "paced" : "as fast as possible");
    asio::io_context io;
    const std::string socket = (dir / "qmp.sock").string();
    trace::ReplayOptions ro;
    ro.paced = paced;
    trace::ReplayServer server(io.get_executor(), recording, ro);
    qmp::error_code ec;
    qmp::Diagnostics diag;
    ASSERT_TRUE(server.listen(socket, ec, diag)) << diag.what;
    std::optional<trace::ReplayResult> result;
    server.async_serve_one([&](qmp::error_code sec, trace::ReplayResult r) {
      EXPECT_FALSE(sec) << sec.message();
      result = std::move(r);
    });

    const std::string trace_file = (dir / (paced ? "paced.qmpt" : "fast.qmpt")).string();
    auto writer = qmp::TranscriptWriter::create(trace_file, ec, diag);
    ASSERT_TRUE(writer) << diag.what;
    qmp::SessionOptions so;
    so.observer = writer;
    so.command_timeout = 5s;
    auto session = std::make_unique<qmp::Session>(io.get_executor(), so);

    qmpc_test::run_with_deadline(io, [&]() -> asio::awaitable<void> {
      auto [cec] = co_await session->async_connect(socket, tuple_awaitable);
      EXPECT_FALSE(cec) << cec.message();
      auto ready = session->subscribe(qmp::EventFilter{{"BLOCK_JOB_READY"}, {}});
      auto gone = session->subscribe(
          qmp::EventFilter{{"JOB_STATUS_CHANGE"}, qmp::EventFilter::data_equals("status", "null")});
      auto [mec, mreply] = co_await session->async_execute(
          "blockdev-mirror", R"({"job-id":"job0","device":"drive0","target":"tgt","sync":"full"})", tuple_awaitable);
      EXPECT_FALSE(mec) << mreply.diagnostics.describe(mec);
      auto [rec, rev] = co_await ready.async_next(5s, tuple_awaitable);
      EXPECT_FALSE(rec);
      auto [xec, xreply] =
          co_await session->async_execute("block-job-complete", R"({"device":"job0"})", tuple_awaitable);
      EXPECT_FALSE(xec) << xreply.diagnostics.describe(xec);
      auto [dec, dev] = co_await gone.async_next(5s, tuple_awaitable);  // the recording's last message
      EXPECT_FALSE(dec);
      // A command the recording does not have: a QMP error naming the divergence.
      auto [qec, qreply] = co_await session->async_execute("query-jobs", "", tuple_awaitable);
      EXPECT_EQ(qec, qmp::make_error_code(qmp::errc::generic_error));
      EXPECT_NE(qreply.diagnostics.qmp_desc.find("no more commands"), std::string::npos) << qreply.diagnostics.qmp_desc;
    });
    session.reset();  // disconnects: the server completes
    io.run_for(2s);
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->finished);
    EXPECT_EQ(result->commands_matched, 3u);
    ASSERT_EQ(result->divergences.size(), 1u);
    EXPECT_EQ(result->divergences[0].got, "query-jobs");

    writer->close();
    auto replayed = qmp::read_transcript_file(trace_file, ec, diag);
    ASSERT_TRUE(replayed) << diag.what;
    EXPECT_EQ(replayed->header.qemu_version, "7.2.22");
    // Same messages in the same order (ids are the session's own), plus the diverging command and its error.
    ASSERT_EQ(replayed->entries.size(), recording.entries.size() + 2);
    for (std::size_t i = 0; i < recording.entries.size(); ++i) {
      const auto a = recording.entries[i].to_message();
      const auto b = replayed->entries[i].to_message();
      ASSERT_TRUE(a && b) << i;
      EXPECT_EQ(recording.entries[i].direction, replayed->entries[i].direction) << i;
      EXPECT_EQ(a->kind(), b->kind()) << i;
      EXPECT_EQ(a->event_name(), b->event_name()) << i;
      EXPECT_EQ(a->command_name(), b->command_name()) << i;
    }
    if (paced) {  // the recorded 62 ms before ready were waited for (a lower bound only)
      EXPECT_GE(replayed->entries[7].time - replayed->entries[6].time, 50ms);
    }
  }
}

// The `qmpc trace replay` action: it runs the io_context until its one client is gone. The client here is a plain
// socket coroutine posted on the same io_context, with a watchdog that stops it if anything hangs.
TEST_F(ReplayServerTest, TheReplayActionServesOneClientAndReportsTheDivergence) {
  const std::string socket = (dir / "action.sock").string();
  bool client_done = false;
  asio::steady_timer watchdog(ioc, 20s);
  watchdog.async_wait([&](boost::system::error_code ec) {
    if (!ec) {
      ADD_FAILURE() << "replay action hung";
      ioc.stop();
    }
  });
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        asio::local::stream_protocol::socket s(ioc);
        auto [cec] = co_await s.async_connect(socket, tuple_awaitable);
        EXPECT_FALSE(cec) << cec.message();
        asio::streambuf in;
        auto [gec, gn] = co_await asio::async_read_until(s, in, '\n', tuple_awaitable);
        EXPECT_FALSE(gec);
        in.consume(gn);
        const std::string caps = "{\"execute\":\"qmp_capabilities\",\"id\":1}\r\n";
        co_await asio::async_write(s, asio::buffer(caps), tuple_awaitable);
        auto [rec, rn] = co_await asio::async_read_until(s, in, '\n', tuple_awaitable);
        EXPECT_FALSE(rec);
        std::string reply(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + static_cast<long>(rn));
        EXPECT_EQ(reply, "{\"return\":{},\"id\":1}\r\n");
        in.consume(rn);
        const std::string wrong = "{\"execute\":\"quit\",\"id\":2}\r\n";
        co_await asio::async_write(s, asio::buffer(wrong), tuple_awaitable);
        auto [wec, wn] = co_await asio::async_read_until(s, in, '\n', tuple_awaitable);
        EXPECT_FALSE(wec);
        std::string error(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + static_cast<long>(wn));
        EXPECT_NE(error.find("expected 'blockdev-mirror' (recorded seq 4), got 'quit'"), std::string::npos) << error;
        s.close();
        client_done = true;
        watchdog.cancel();
      },
      asio::detached);
  std::FILE* out = std::tmpfile();
  trace::TraceRequest request;
  request.action = trace::TraceAction::replay;
  request.file = trace_test::fixture("transcripts/mirror-pivot.qmpt");
  request.listen = socket;
  const int rc = trace::run_trace_action(ioc, request, out, stderr);
  EXPECT_TRUE(client_done);
  EXPECT_EQ(rc, 1);  // diverged
  std::rewind(out);
  char buf[1024] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, out);
  std::fclose(out);
  const std::string text(buf, n);
  EXPECT_NE(text.find("replaying "), std::string::npos) << text;
  EXPECT_NE(text.find("replayed 1 of 3 recorded commands"), std::string::npos) << text;
  EXPECT_NE(text.find("divergence: expected 'blockdev-mirror'"), std::string::npos) << text;
}

TEST_F(ReplayServerTest, ListeningOnABadPathFails) {
  trace::ReplayServer server(ioc.get_executor(), recording);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(server.listen((dir / "no" / "such" / "dir" / "s").string(), ec, diag));
  EXPECT_TRUE(ec);
  EXPECT_NE(diag.what.find("cannot listen"), std::string::npos);
}

}  // namespace
