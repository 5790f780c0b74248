// The session against a scripted fake server: the interleavings and hostile input real QEMU will not produce on
// demand.
#include "support/deadline.hpp"
#include "session_fixture.hpp"
#include "support/scripted_server.hpp"

#include "qmp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <thread>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_test::ScriptedServer;
using qmpc_test::tuple_awaitable;

using SessionFake = qmpc_test::SessionFixture;

TEST_F(SessionFake, EventsBeforeTheNegotiationReplyAreNotTakenForIt) {
  server.send_greeting()
      .expect("qmp_capabilities", "")
      .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
      .send_line(R"({"return": {"not": "this"}})")  // no id: dropped as unknown
      .send_line(R"({"return": {}, "id": $ID})")
      .expect("query-status", R"({"return": {"status": "running"}, "id": $ID})")
      .close();
  adopt();
  auto sub = session.subscribe();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, reply] = co_await exec("query-status");
    EXPECT_FALSE(ec) << reply.diagnostics.describe(ec);
    EXPECT_EQ(qmp::json::get_string(reply.value(), "status"), "running");
    auto [eec, ev] = co_await sub.async_next(1s, tuple_awaitable);
    EXPECT_FALSE(eec);
    EXPECT_EQ(ev.event_name(), "JOB_STATUS_CHANGE");
    EXPECT_EQ(session.stats().unknown_replies, 1u);
  });
}

TEST_F(SessionFake, AnEventBetweenEveryPairOfRepliesKeepsWireOrder) {
  server.handshake();
  for (int i = 0; i < 5; ++i) {
    server.expect("query-status", "");
    server.send_event("E" + std::to_string(i));
    server.send_line(R"({"return": {}, "id": $ID})");
  }
  server.close();
  adopt();
  auto sub = session.subscribe();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    std::vector<std::uint64_t> reply_seqs;
    for (int i = 0; i < 5; ++i) {
      auto [ec, r] = co_await exec("query-status");
      EXPECT_FALSE(ec);
      reply_seqs.push_back(r.seq());
    }
    for (int i = 0; i < 5; ++i) {
      auto [ec, ev] = co_await sub.async_next(1s, tuple_awaitable);
      EXPECT_FALSE(ec);
      if (ec) co_return;
      EXPECT_EQ(ev.event_name(), "E" + std::to_string(i));
      // Each event arrived right before the reply of the command that provoked it.
      EXPECT_EQ(ev.seq() + 1, reply_seqs[i]);
    }
  });
}

TEST_F(SessionFake, RepliesOutOfOrderAreMatchedById) {
  // ids: 1 qmp_capabilities, 2 first, 3 second.
  server.handshake()
      .expect("first", "")
      .expect("second", "")
      .send_line(R"({"return": "for-second", "id": 3})")
      .send_line(R"({"return": "for-first", "id": 2})")
      .close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    std::string first, second;
    int done = 0;
    session.async_execute("first", "", [&](qmp::error_code ec, qmp::Reply r) {
      EXPECT_FALSE(ec);
      first = qmp::json::to_string(r.value());
      ++done;
    });
    session.async_execute("second", "", [&](qmp::error_code ec, qmp::Reply r) {
      EXPECT_FALSE(ec);
      second = qmp::json::to_string(r.value());
      ++done;
    });
    while (done < 2) co_await qmpc_test::sleep_for(5ms);
    EXPECT_EQ(first, "\"for-first\"");
    EXPECT_EQ(second, "\"for-second\"");
  });
}

TEST_F(SessionFake, QmpErrorsCarryClassAndDesc) {
  server.handshake()
      .expect("drive-mirror",
              R"({"id": $ID, "error": {"class": "GenericError", "desc": "Parameter 'target' is missing"}})")
      .expect("nope",
              R"({"id": $ID, "error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}})")
      .close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, r] = co_await exec("drive-mirror", R"({"device":"d"})");
    EXPECT_EQ(ec, qmp::errc::generic_error);
    EXPECT_EQ(qmp::kind_of(ec), qmp::error_kind::qmp);
    EXPECT_EQ(r.diagnostics.qmp_class, "GenericError");
    EXPECT_EQ(r.diagnostics.qmp_desc, "Parameter 'target' is missing");
    EXPECT_EQ(r.diagnostics.describe(ec), "GenericError: Parameter 'target' is missing");
    auto [ec2, r2] = co_await exec("nope");
    EXPECT_EQ(ec2, qmp::errc::command_not_found);
    EXPECT_TRUE(session.is_open());  // a QMP error does not end the session
  });
}

TEST_F(SessionFake, AnErrorWithoutIdEndsTheSessionWithAProtocolError) {
  server.handshake()
      .expect("query-status", "")
      .send_line(R"({"error": {"class": "GenericError", "desc": "JSON parse error, stray '\u0001'"}})")
      .ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, r] = co_await exec("query-status");
    EXPECT_EQ(ec, qmp::errc::protocol_error);
    EXPECT_EQ(qmp::kind_of(ec), qmp::error_kind::protocol);
    EXPECT_NE(session.failure_diagnostics().what.find("JSON parse error"), std::string::npos)
        << session.failure_diagnostics().what;
    EXPECT_FALSE(session.is_open());
  });
}

TEST_F(SessionFake, ReplyWithUnknownIdIsDroppedAndTheSessionGoesOn) {
  server.handshake()
      .expect("query-status", "")
      .send_line(R"({"return": {}, "id": 999})")
      .send_line(R"({"return": {}, "id": "libvirt-3"})")
      .send_line(R"({"return": {"ok": true}, "id": $ID})")
      .close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, r] = co_await exec("query-status");
    EXPECT_FALSE(ec);
    EXPECT_EQ(qmp::json::get_bool(r.value(), "ok"), true);
    EXPECT_EQ(session.stats().unknown_replies, 2u);
  });
}

TEST_F(SessionFake, OversizedLineFailsTheSessionWithBoundedMemory) {
  qmp::SessionOptions o = options();
  o.max_message_size = 4096;
  qmp::Session small(ioc.get_executor(), o);
  server.handshake().expect("query-status", "").send_raw("{\"return\": \"" + std::string(100000, 'x')).ignore_forever();
  small.adopt(server.release_client_fd());
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [hec] = co_await small.async_handshake(tuple_awaitable);
    EXPECT_FALSE(hec);
    auto [ec, r] = co_await small.async_execute("query-status", "", tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::message_too_large);
    EXPECT_NE(small.failure_diagnostics().what.find("4096"), std::string::npos) << small.failure_diagnostics().what;
  });
}

TEST_F(SessionFake, MalformedJsonNamesOffsetAndExcerpt) {
  server.handshake().expect("query-status", "").send_raw("{\"return\": {}, \"id\" 2}\r\n").ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, r] = co_await exec("query-status");
    EXPECT_EQ(ec, qmp::errc::malformed_json);
    const auto& desc = session.failure_diagnostics().what;
    EXPECT_NE(desc.find("offset 20"), std::string::npos) << desc;
    EXPECT_NE(desc.find("\"id\" 2"), std::string::npos) << desc;
  });
}

TEST_F(SessionFake, EofMidLineFailsPendingCommandsAndWaitersWithConnectionLost) {
  server.handshake().expect("query-status", "").send_raw("{\"return\": {}, \"i").close();
  adopt();
  auto sub = session.subscribe();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, r] = co_await exec("query-status");
    EXPECT_EQ(ec, qmp::errc::connection_lost);
    EXPECT_EQ(qmp::kind_of(ec), qmp::error_kind::transport);
    auto [sec, ev] = co_await sub.async_next(1s, tuple_awaitable);
    EXPECT_EQ(sec, qmp::errc::connection_lost);
    auto [cec] = co_await session.async_wait_closed(1s, tuple_awaitable);
    EXPECT_FALSE(cec);
    // Later commands fail at once with the same reason.
    auto [ec2, r2] = co_await exec("query-status");
    EXPECT_EQ(ec2, qmp::errc::connection_lost);
  });
}

TEST_F(SessionFake, ResetCountsAsConnectionLost) {
  server.handshake().expect("quit", "").send_event("SHUTDOWN", R"({"guest": false, "reason": "host-qmp-quit"})").reset();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, r] = co_await exec("quit");
    EXPECT_EQ(ec, qmp::errc::connection_lost);
    EXPECT_TRUE(session.shutdown_event());
    if (!session.shutdown_event()) co_return;
    EXPECT_EQ(qmp::json::get_string(*session.shutdown_event()->data(), "reason"), "host-qmp-quit");
  });
}

TEST_F(SessionFake, ASilentServerTimesOutAndItsLateReplyIsNeverGivenToAnotherCommand) {
  // ids: 1 caps, 2 slow (abandoned), 3 next.
  server.handshake()
      .expect("slow", "")
      .pause(300ms)
      .send_line(R"({"return": "late-for-slow", "id": 2})")
      .expect("next", R"({"return": "for-next", "id": $ID})")
      .close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    qmp::CommandOptions o;
    o.timeout = 100ms;
    auto [ec, r] = co_await exec("slow", "", o);
    EXPECT_EQ(ec, qmp::errc::timeout);
    EXPECT_EQ(qmp::kind_of(ec), qmp::error_kind::timeout);
    EXPECT_NE(r.diagnostics.what.find("no reply to 'slow'"), std::string::npos) << r.diagnostics.what;
    auto [ec2, r2] = co_await exec("next");
    EXPECT_FALSE(ec2);
    EXPECT_EQ(qmp::json::to_string(r2.value()), "\"for-next\"");
    EXPECT_EQ(session.stats().abandoned_replies, 1u);
  });
}

TEST_F(SessionFake, CancellationSlotAbandonsTheCommand) {
  server.handshake().expect("slow", "").pause(200ms).send_line(R"({"return": {}, "id": 2})").expect("next").close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    asio::cancellation_signal signal;
    qmp::error_code got;
    bool done = false;
    session.async_execute("slow", "", asio::bind_cancellation_slot(signal.slot(), [&](qmp::error_code ec, qmp::Reply) {
                            got = ec;
                            done = true;
                          }));
    co_await qmpc_test::sleep_for(50ms);
    signal.emit(asio::cancellation_type::terminal);
    while (!done) co_await qmpc_test::sleep_for(1ms);
    EXPECT_EQ(got, asio::error::operation_aborted);
    auto [ec2, r2] = co_await exec("next");
    EXPECT_FALSE(ec2);
    EXPECT_EQ(session.stats().abandoned_replies, 1u);
  });
}

TEST_F(SessionFake, SomethingOtherThanAGreetingIsRejected) {
  server.send_line(R"({"return": {}})").ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto ec = co_await handshake();
    EXPECT_EQ(ec, qmp::errc::not_a_greeting);
    EXPECT_NE(session.failure_diagnostics().what.find("expected a QMP greeting"), std::string::npos);
  });
}

TEST_F(SessionFake, AnEventBeforeTheGreetingIsKeptAndTheGreetingAwaited) {
  // QEMU's start-up RESUME can reach a client that connects the instant QEMU starts before the greeting does.
  server.send_event("RESUME")
      .send_event("STOP")
      .handshake()
      .expect("query-status", R"({"return": {"status": "running"}, "id": $ID})")
      .close();
  adopt();
  auto sub = session.subscribe();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake()) << session.failure_diagnostics().what;
    auto [ec, reply] = co_await exec("query-status");
    EXPECT_FALSE(ec) << reply.diagnostics.describe(ec);
    auto [e1, ev1] = co_await sub.async_next(1s, tuple_awaitable);
    EXPECT_FALSE(e1);
    EXPECT_EQ(ev1.event_name(), "RESUME");
    auto [e2, ev2] = co_await sub.async_next(1s, tuple_awaitable);
    EXPECT_FALSE(e2);
    EXPECT_EQ(ev2.event_name(), "STOP");
    EXPECT_EQ(session.stats().events, 2u);
  });
}

TEST_F(SessionFake, EventsNobodyWantsAreDroppedByNameWithoutAParse) {
  const std::string ts = R"({"timestamp": {"seconds": 1, "microseconds": 2}, )";
  server.handshake()
      .send_event("BLOCK_JOB_ERROR", R"({"device": "job0", "operation": "write", "action": "ignore"})")
      .send_raw(ts + R"("event": "BLOCK_JOB_ERROR", "data": {"device": )" + "\r\n")  // malformed after the name
      .send_event("STOP")
      .send_event("SHUTDOWN", R"({"guest": false, "reason": "host-qmp-quit"})")
      .expect("query-status", R"({"return": {"status": "running"}, "id": $ID})")
      .send_raw(ts + R"("event": "RESUME", "data": {"device": )" + "\r\n")  // malformed, and wanted
      .ignore_forever();
  adopt();
  auto sub = session.subscribe({{"STOP", "RESUME"}, {}});
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake()) << session.failure_diagnostics().what;
    auto [ec, reply] = co_await exec("query-status");
    EXPECT_FALSE(ec) << reply.diagnostics.describe(ec);
    auto [e1, stop] = co_await sub.async_next(1s, tuple_awaitable);
    EXPECT_FALSE(e1);
    EXPECT_EQ(stop.event_name(), "STOP");
    EXPECT_TRUE(session.shutdown_event());  // SHUTDOWN is kept though nobody subscribed to it
    // A wanted event is parsed, so a malformed one still ends the session.
    auto [e2, none] = co_await sub.async_next(1s, tuple_awaitable);
    EXPECT_EQ(e2, qmp::errc::malformed_json);
    const auto stats = session.stats();
    EXPECT_EQ(stats.events, 4u);
    EXPECT_EQ(stats.events_unparsed, 2u);
  });
}

TEST_F(SessionFake, DeeplyNestedJsonBeforeTheGreetingEndsTheSessionWithTheLimit) {
  server.send_line(std::string(200000, '[')).ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto ec = co_await handshake();
    EXPECT_EQ(ec, qmp::errc::malformed_json);
    EXPECT_NE(session.failure_diagnostics().what.find("nested deeper than 1000 levels"), std::string::npos)
        << session.failure_diagnostics().what;
  });
}

TEST_F(SessionFake, DeeplyNestedJsonInAReplyEndsTheSessionWithTheLimit) {
  // A reply holding a secret-looking key goes through redaction before decoding: both must be bounded.
  server.handshake()
      .expect("query-status", R"({"return": {"password": )" + std::string(200000, '[') + "}")
      .ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, reply] = co_await exec("query-status");
    EXPECT_EQ(ec, qmp::errc::malformed_json);
    EXPECT_NE(session.failure_diagnostics().what.find("nested deeper than 1000 levels"), std::string::npos)
        << session.failure_diagnostics().what;
  });
}

TEST_F(SessionFake, DeeplyNestedArgumentsAreRefusedBeforeTheyAreWritten) {
  server.handshake().expect("query-status", R"({"return": {}, "id": $ID})").close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, reply] = co_await exec("deep", R"({"a":)" + std::string(200000, '[') + "}");
    EXPECT_EQ(ec, qmp::errc::invalid_argument);
    auto [ec2, r2] = co_await exec("query-status");
    EXPECT_FALSE(ec2) << r2.diagnostics.describe(ec2);
  });
}

TEST_F(SessionFake, AMissingGreetingTimesOut) {
  server.ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    const auto t0 = std::chrono::steady_clock::now();
    auto ec = co_await handshake();
    EXPECT_EQ(ec, qmp::errc::timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 1900ms);
    EXPECT_NE(session.failure_diagnostics().what.find("no QMP greeting"), std::string::npos);
  });
}

TEST_F(SessionFake, RefusedCapabilitiesAreAClearError) {
  server.send_greeting()
      .expect("qmp_capabilities",
              R"({"id": $ID, "error": {"class": "GenericError", "desc": "Parameter 'null' does not accept value 'bogus'"}})")
      .ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto ec = co_await handshake();
    EXPECT_EQ(ec, qmp::errc::capabilities_failed);
    EXPECT_NE(session.failure_diagnostics().what.find("bogus"), std::string::npos);
  });
}

TEST_F(SessionFake, OobIsNegotiatedOnlyWhenAskedAndOffered) {
  qmp::SessionOptions o = options();
  o.enable_oob = true;
  qmp::Session oob_session(ioc.get_executor(), o);
  std::string caps_args;
  server.send_greeting()
      .expect("qmp_capabilities", R"({"return": {}, "id": $ID})",
              [&](const qmp::Message& m) { caps_args = qmp::json::to_string(*qmp::json::find(m.json(), "arguments")); })
      .expect("migrate-recover", R"({"return": {}, "id": $ID})",
              [&](const qmp::Message& m) { EXPECT_TRUE(m.json().HasMember("exec-oob")); })
      .close();
  oob_session.adopt(server.release_client_fd());
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await oob_session.async_handshake(tuple_awaitable);
    EXPECT_FALSE(ec);
    EXPECT_TRUE(oob_session.oob_enabled());
    EXPECT_EQ(caps_args, R"({"enable":["oob"]})");
    qmp::CommandOptions co;
    co.oob = true;
    auto [ec2, r] = co_await oob_session.async_execute("migrate-recover", "", co, tuple_awaitable);
    EXPECT_FALSE(ec2);
  });
}

TEST_F(SessionFake, OobWithoutNegotiationIsRefusedBeforeSending) {
  server.handshake().ignore_forever();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    qmp::CommandOptions co;
    co.oob = true;
    auto [ec, r] = co_await exec("query-status", "", co);
    EXPECT_EQ(ec, qmp::errc::oob_not_available);
  });
}

TEST_F(SessionFake, ArgumentsThatAreNotAnObjectAreRefusedBeforeSending) {
  server.handshake().expect("query-status").close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, r] = co_await exec("query-status", "[1,2]");
    EXPECT_EQ(ec, qmp::errc::invalid_argument);
    auto [ec2, r2] = co_await exec("query-status", "{\"a\":");
    EXPECT_EQ(ec2, qmp::errc::invalid_argument);
    auto [ec3, r3] = co_await exec("query-status");
    EXPECT_FALSE(ec3);  // the session is intact
  });
}

TEST_F(SessionFake, EventWaitHasADeadline) {
  server.handshake().ignore_forever();
  adopt();
  auto sub = session.subscribe({{"NEVER"}, {}});
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto [ec, ev] = co_await sub.async_next(50ms, tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::timeout);
  });
}

// The monitor on its own thread, the session's io_context run one handler at a time: what the reader completes for
// one read is seen turn by turn.
struct SessionTurns : ::testing::Test {
  asio::io_context server_ioc;
  ScriptedServer server{server_ioc.get_executor()};
  asio::io_context ioc;
  qmp::Session session{ioc.get_executor(), qmpc_test::SessionFixture::options()};
  std::thread server_thread;

  // A ready event, the reply to the first command after the handshake (id 2) and another event: one write.
  void script() {
    const std::string event = R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "BLOCK_JOB_READY", "data": {"device": "job0"}})";
    server.handshake()
        .expect("query-status", "")
        .send_raw(event + "\r\n" + R"({"return": {"status": "running"}, "id": 2})" + "\r\n" + event + "\r\n")
        .close();
    session.adopt(server.release_client_fd());
  }
  void start() {
    server.start();
    server_thread = std::thread([this] { server_ioc.run(); });
  }
  ~SessionTurns() override {
    if (server_thread.joinable()) server_thread.join();
  }
  // Runs one handler at a time until `done`, at most 200 handlers or 10 s.
  template <typename Done>
  void run_until(Done done) {
    const auto limit = std::chrono::steady_clock::now() + 10s;
    for (int i = 0; i < 200 && !done() && std::chrono::steady_clock::now() < limit; ++i) ioc.run_one_for(1s);
    ASSERT_TRUE(done()) << "not done within 200 handlers or 10 s";
  }
  void handshake() {
    bool shook = false;
    session.async_handshake([&](qmp::error_code ec) {
      EXPECT_FALSE(ec) << ec.message();
      shook = true;
    });
    run_until([&] { return shook; });
  }
};

TEST_F(SessionTurns, TheCompletionsOfOneReadRunInWireOrderInTheReadsOwnTurn) {
  script();
  auto sub = session.subscribe();
  start();
  handshake();
  std::vector<std::string> seen;
  session.async_execute("query-status", "", [&](qmp::error_code ec, qmp::Reply r) {
    EXPECT_FALSE(ec) << r.diagnostics.describe(ec);
    seen.push_back("reply");
  });
  sub.async_next(5s, [&](qmp::error_code ec, qmp::Message m) {
    EXPECT_FALSE(ec) << ec.message();
    seen.push_back(std::string(m.event_name()));
  });
  // The first completion to run is the event's; the reply read with it has completed in the same turn, with no
  // turn of the event loop (and no poll of the reactor) between the two.
  run_until([&] { return !seen.empty(); });
  EXPECT_EQ(seen, (std::vector<std::string>{"BLOCK_JOB_READY", "reply"}));
  EXPECT_EQ(sub.queued(), 1u);  // the second event waits for the next async_next
}

TEST_F(SessionTurns, AHandlerThatThrowsLosesNoneOfTheOtherCompletionsOfItsRead) {
  script();
  auto sub = session.subscribe();
  start();
  handshake();
  bool replied = false;
  session.async_execute("query-status", "", [&](qmp::error_code ec, qmp::Reply) {
    EXPECT_FALSE(ec);
    replied = true;
  });
  sub.async_next(5s, [&](qmp::error_code, qmp::Message) { throw std::runtime_error("the subscriber's own failure"); });
  bool thrown = false;
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (!thrown && std::chrono::steady_clock::now() < limit) {
    try {
      ioc.run_one_for(1s);
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "the subscriber's own failure");
      thrown = true;
    }
  }
  ASSERT_TRUE(thrown);
  run_until([&] { return replied; });
  // The session goes on: the queued event, then the end of the connection.
  qmp::error_code ec;
  qmp::Message m;
  bool next = false;
  sub.async_next(5s, [&](qmp::error_code e, qmp::Message msg) {
    ec = e;
    m = std::move(msg);
    next = true;
  });
  run_until([&] { return next; });
  EXPECT_FALSE(ec);
  EXPECT_EQ(m.event_name(), "BLOCK_JOB_READY");
}

TEST(SessionConnect, RetriesAMissingSocketUntilItAppears) {
  asio::io_context ioc;
  const std::string path = "/tmp/qmpc-retry-" + std::to_string(::getpid()) + ".sock";
  ::unlink(path.c_str());
  qmp::SessionOptions o;
  o.connect_timeout = 5s;
  qmp::Session session(ioc.get_executor(), o);
  std::unique_ptr<ScriptedServer> server;
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    asio::steady_timer t(ioc, 200ms);
    t.async_wait([&](qmp::error_code) {
      server = std::make_unique<ScriptedServer>(ioc.get_executor(), path);
      server->handshake().close();
      server->start();
    });
    auto [ec] = co_await session.async_connect(path, tuple_awaitable);
    EXPECT_FALSE(ec) << session.failure_diagnostics().what;
    EXPECT_EQ(session.greeting().version(), "7.2.22");
  });
  ::unlink(path.c_str());
}

TEST(SessionConnect, GivesUpAfterTheDeadlineNamingAddressAndErrno) {
  asio::io_context ioc;
  qmp::SessionOptions o;
  o.connect_timeout = 200ms;
  qmp::Session session(ioc.get_executor(), o);
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await session.async_connect("unix:/tmp/qmpc-no-such.sock", tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::connect_failed);
    const auto& desc = session.failure_diagnostics().what;
    EXPECT_NE(desc.find("unix:/tmp/qmpc-no-such.sock"), std::string::npos) << desc;
    EXPECT_NE(desc.find("No such file or directory"), std::string::npos) << desc;
    EXPECT_NE(desc.find("errno 2"), std::string::npos) << desc;
  });
}

TEST(SessionConnect, RefusedTcpPortIsRetriedThenReported) {
  asio::io_context ioc;
  qmp::SessionOptions o;
  o.connect_timeout = 150ms;
  qmp::Session session(ioc.get_executor(), o);
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await session.async_connect("tcp:127.0.0.1:1", tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::connect_failed);
    EXPECT_NE(session.failure_diagnostics().what.find("Connection refused"), std::string::npos)
        << session.failure_diagnostics().what;
    EXPECT_NE(session.failure_diagnostics().what.find("retried"), std::string::npos);
  });
}

TEST(SessionAccept, AcceptsAMonitorThatConnectsAsClient) {
  asio::io_context ioc;
  const std::string path = "/tmp/qmpc-accept-" + std::to_string(::getpid()) + ".sock";
  qmp::SessionOptions o;
  o.connect_timeout = 5s;
  o.handshake_timeout = 5s;
  qmp::Session session(ioc.get_executor(), o);
  // A blocking client in its own thread plays QEMU started with "-qmp unix:PATH" (client mode).
  std::thread client([&] {
    int fd = -1;
    for (int i = 0; i < 500 && fd < 0; ++i) {
      fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        fd = -1;
        std::this_thread::sleep_for(10ms);
      }
    }
    if (fd < 0) return;
    const std::string hello = std::string(qmpc_test::qemu_7_2_greeting) + "\r\n";
    (void)!::write(fd, hello.data(), hello.size());
    std::string got;
    char c;
    while (got.find('\n') == std::string::npos && ::read(fd, &c, 1) == 1) got.push_back(c);
    const std::string reply = "{\"return\": {}, \"id\": 1}\r\n";
    (void)!::write(fd, reply.data(), reply.size());
    std::this_thread::sleep_for(200ms);
    ::close(fd);
  });
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await session.async_accept(path, tuple_awaitable);
    EXPECT_FALSE(ec) << session.failure_diagnostics().what;
    EXPECT_TRUE(session.is_open());
    EXPECT_EQ(session.greeting().version(), "7.2.22");
  });
  client.join();
}

}  // namespace
