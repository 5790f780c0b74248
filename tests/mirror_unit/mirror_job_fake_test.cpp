// mirror::MirrorJob against a scripted fake QMP server: what real QEMU does not offer on demand (no job-*
// commands, a reset at a chosen step, a caller cancelling).
#include <mirror/mirror_job.hpp>

#include "support/co_assert.hpp"
#include "support/deadline.hpp"
#include "support/scripted_server.hpp"

#include <qmp/session.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

constexpr const char* kArgs = R"({"job-id":"job0","device":"src0","target":"tgt","sync":"full"})";

mirror::MirrorOptions options(mirror::EndMode mode = mirror::EndMode::pivot) {
  mirror::MirrorOptions o;
  o.device = "src0";
  o.target = mirror::BlockdevTarget{"tgt"};
  o.job_id = "job0";
  o.end_mode = mode;
  return o;
}

void expect_args(const qmp::Message& cmd, const std::string& want) {
  const auto* a = qmp::json::find(cmd.json(), "arguments");
  EXPECT_EQ(a ? qmp::json::to_string(*a) : std::string(), want);
}

class MirrorJobFake : public ::testing::Test {
 protected:
  asio::io_context ioc;
  qmpc_test::ScriptedServer server{ioc.get_executor()};
  qmp::Session session{ioc.get_executor()};

  asio::awaitable<bool> connect() {
    session.adopt(server.release_client_fd());
    server.start();
    auto [ec] = co_await session.async_handshake(tok);
    EXPECT_FALSE(ec) << ec.message();
    co_return !ec;
  }
};

TEST_F(MirrorJobFake, WithoutJobCommandsItPivotsWithBlockJobComplete) {
  server.handshake()
      .expect("query-commands", R"({"return": [{"name": "query-block-jobs"}, {"name": "block-job-complete"}], "id": $ID})")
      .expect("blockdev-mirror", "", [](const qmp::Message& c) { expect_args(c, kArgs); })
      .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "running", "id": "job0"})")
      .send_line(R"({"return": {}, "id": $ID})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "ready", "id": "job0"})")
      .send_event("BLOCK_JOB_READY", R"({"device": "job0", "len": 4, "offset": 4, "speed": 0, "type": "mirror"})")
      .expect("block-job-complete", "", [](const qmp::Message& c) { expect_args(c, R"({"device":"job0"})"); })
      .send_line(R"({"return": {}, "id": $ID})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "waiting", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "pending", "id": "job0"})")
      .send_event("BLOCK_JOB_COMPLETED", R"({"device": "job0", "len": 4, "offset": 4, "speed": 0, "type": "mirror"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "concluded", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "null", "id": "job0"})")
      .ignore_forever();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await connect());
    std::vector<std::string> statuses;
    auto o = options();
    o.on_status = [&](mirror::JobStatus, mirror::JobStatus to) { statuses.push_back(mirror::to_string(to)); };
    mirror::MirrorJob job(session, o);
    auto [ec, r] = co_await job.async_run(tok);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, mirror::Outcome::pivoted);
    EXPECT_FALSE(r.job_commands);
    EXPECT_EQ(r.len, 4u);
    EXPECT_EQ(statuses, (std::vector<std::string>{"created", "running", "ready", "waiting", "pending", "concluded",
                                                  "null"}));
  }, 10s);
}

TEST_F(MirrorJobFake, AResetMidJobEndsWithOutcomeUnknown) {
  server.handshake()
      .expect("blockdev-mirror", "")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "running", "id": "job0"})")
      .send_line(R"({"return": {}, "id": $ID})")
      .pause(20ms)
      .reset();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await connect());
    auto o = options();
    o.job_commands = true;
    mirror::MirrorJob job(session, o);
    auto [ec, r] = co_await job.async_run(tok);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::outcome_unknown));
    EXPECT_EQ(r.outcome, mirror::Outcome::unknown);
    EXPECT_NE(r.diagnostics.text().find("connection"), std::string::npos) << r.diagnostics.text();
  }, 10s);
}

TEST_F(MirrorJobFake, InvalidOptionsSendNothing) {
  server.handshake().ignore_forever();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await connect());
    auto o = options();
    o.unmap = true;  // not a blockdev-mirror option
    mirror::MirrorJob job(session, o);
    auto [ec, r] = co_await job.async_run(tok);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::invalid_options));
    EXPECT_NE(r.diagnostics.text().find("unmap"), std::string::npos) << r.diagnostics.text();
    EXPECT_EQ(session.stats().messages_out, 1u);  // qmp_capabilities only
  }, 10s);
}

TEST_F(MirrorJobFake, CancellingTheRunAbortsTheJob) {
  asio::cancellation_signal cancel;
  server.handshake()
      .expect("blockdev-mirror", "")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "running", "id": "job0"})")
      .send_line(R"({"return": {}, "id": $ID})")
      .pause(20ms)
      .expect("block-job-cancel", "", [](const qmp::Message& c) { expect_args(c, R"({"device":"job0"})"); })
      .send_line(R"({"return": {}, "id": $ID})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "aborting", "id": "job0"})")
      .send_event("BLOCK_JOB_CANCELLED", R"({"device": "job0", "len": 8, "offset": 2, "speed": 0, "type": "mirror"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "concluded", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "null", "id": "job0"})")
      .ignore_forever();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await connect());
    auto o = options(mirror::EndMode::manual);
    o.job_commands = true;
    o.on_status = [&](mirror::JobStatus, mirror::JobStatus to) {
      if (to == mirror::JobStatus::running) cancel.emit(asio::cancellation_type::terminal);
    };
    mirror::MirrorJob job(session, o);
    auto [ec, r] = co_await job.async_run(asio::bind_cancellation_slot(cancel.slot(), tok));
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, mirror::Outcome::cancelled);
    EXPECT_EQ(r.offset, 2u);
  }, 10s);
}

// Events dropped by a full subscription queue (here: a burst of ignored errors) are noticed (Subscription gap) and
// followed by a resync with query-jobs and query-block-jobs.
TEST_F(MirrorJobFake, AnEventGapIsFollowedByAResync) {
  std::string burst;
  for (int i = 0; i < 20; ++i)
    burst += R"({"event": "BLOCK_JOB_ERROR", "data": {"device": "job0", "operation": "write", "action": "ignore"}, )"
             R"("timestamp": {"seconds": 1, "microseconds": 0}})" "\r\n";
  burst += R"({"event": "JOB_STATUS_CHANGE", "data": {"status": "ready", "id": "job0"}, )"
           R"("timestamp": {"seconds": 1, "microseconds": 0}})" "\r\n";
  server.handshake()
      .expect("blockdev-mirror", "")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "running", "id": "job0"})")
      .send_line(R"({"return": {}, "id": $ID})")
      .pause(20ms)
      .send_raw(burst)
      .expect("query-jobs",
              R"({"return": [{"current-progress": 8, "status": "ready", "total-progress": 8, "type": "mirror", "id": "job0"}], "id": $ID})")
      .expect("query-block-jobs",
              R"({"return": [{"device": "job0", "status": "ready", "ready": true, "paused": false, "io-status": "ok", "offset": 8, "len": 8, "speed": 0}], "id": $ID})")
      .expect("job-complete", R"({"return": {}, "id": $ID})")
      .send_event("BLOCK_JOB_COMPLETED", R"({"device": "job0", "len": 8, "offset": 8, "speed": 0, "type": "mirror"})")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "null", "id": "job0"})")
      .ignore_forever();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await connect());
    auto o = options();
    o.job_commands = true;
    o.event_queue_capacity = 4;
    mirror::MirrorJob job(session, o);
    auto [ec, r] = co_await job.async_run(tok);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, mirror::Outcome::pivoted);
    EXPECT_LT(r.error_events, 20u);  // some were dropped
  }, 10s);
}

// QEMU 2.11 as it answers: no JOB_STATUS_CHANGE, no query-jobs or job-* commands, no "status" in
// query-block-jobs; the job is gone with BLOCK_JOB_COMPLETED.
constexpr const char* kQemu211Greeting =
    R"({"QMP": {"version": {"qemu": {"micro": 0, "minor": 11, "major": 2}, "package": ""}, "capabilities": []}})";

void script_qemu_2_11_pivot(qmpc_test::ScriptedServer& server) {
  server.send_line(kQemu211Greeting)
      .expect("qmp_capabilities")
      .expect("query-commands",
              R"({"return": [{"name": "drive-mirror"}, {"name": "query-block-jobs"}, {"name": "block-job-complete"}], "id": $ID})")
      .expect("drive-mirror")
      .send_event("BLOCK_JOB_READY", R"({"device": "job0", "len": 4, "offset": 4, "speed": 0, "type": "mirror"})")
      .expect("block-job-complete", "", [](const qmp::Message& c) { expect_args(c, R"({"device":"job0"})"); })
      .send_line(R"({"return": {}, "id": $ID})")
      .send_event("BLOCK_JOB_COMPLETED", R"({"device": "job0", "len": 4, "offset": 4, "speed": 0, "type": "mirror"})")
      .ignore_forever();
}

TEST_F(MirrorJobFake, AQemuWithoutJobStatusChangeStillPivots) {
  script_qemu_2_11_pivot(server);
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    session.adopt(server.release_client_fd());
    server.start();
    auto [hec] = co_await session.async_handshake(tok);
    CO_ASSERT_TRUE(!hec);
    mirror::MirrorOptions o;
    o.device = "disk0";
    o.target = mirror::DriveTarget{"/t.qcow2", "qcow2", mirror::DriveTarget::Mode::absolute_paths};
    o.job_id = "job0";
    mirror::MirrorJob job(session, o);
    auto [ec, r] = co_await job.async_run(tok);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, mirror::Outcome::pivoted);
    EXPECT_FALSE(r.job_commands);
  }, 10s);
}

}  // namespace
