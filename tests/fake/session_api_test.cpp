// Session's asio conventions: completion tokens, associated executor and allocator, never-inline completions,
// operations that outlive a moved Session, per-operation cancellation types, Session::cancel() and no_timeout.
#include "support/deadline.hpp"
#include "session_fixture.hpp"
#include "support/scripted_server.hpp"

#include "qmp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_test::ScriptedServer;
using qmpc_test::tuple_awaitable;

using SessionApi = qmpc_test::SessionFixture;

// Counts the allocations made through it, to see that an operation used the handler's allocator.
template <typename T>
struct CountingAllocator {
  using value_type = T;
  std::shared_ptr<int> count;
  explicit CountingAllocator(std::shared_ptr<int> c) : count(std::move(c)) {}
  template <typename U>
  CountingAllocator(const CountingAllocator<U>& o) : count(o.count) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    ++*count;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  template <typename U>
  bool operator==(const CountingAllocator<U>& o) const {
    return count == o.count;
  }
};

TEST_F(SessionApi, TheDefaultTokenIsDeferredAndCanBeAwaited) {
  server.handshake().expect("query-status", R"({"return": {"status": "running"}, "id": $ID})").close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    co_await session.async_handshake(asio::use_awaitable);
    // Like use_awaitable: an error would be thrown as boost::system::system_error.
    qmp::Reply reply = co_await session.async_execute("query-status", "");
    EXPECT_EQ(qmp::json::get_string(reply.value(), "status"), "running");
  });
}

TEST_F(SessionApi, ADeferredOperationStartedAfterTheSessionMovedRunsOnTheMovedSession) {
  server.handshake().expect("query-status", R"({"return": {"status": "running"}, "id": $ID})").close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    auto op = session.async_execute("query-status", "", asio::deferred);
    qmp::Session moved = std::move(session);
    auto [ec, reply] = co_await std::move(op)(tuple_awaitable);
    EXPECT_FALSE(ec) << reply.diagnostics.describe(ec);
    EXPECT_EQ(qmp::json::get_string(reply.value(), "status"), "running");
  });
}

TEST_F(SessionApi, CallbacksAndFuturesComplete) {
  server.handshake()
      .expect("first", R"({"return": {"n": 1}, "id": $ID})")
      .expect("second", R"({"return": {"n": 2}, "id": $ID})")
      .close();
  adopt();
  server.start();
  bool handshaken = false;
  std::optional<std::int64_t> first;
  session.async_handshake([&](qmp::error_code ec) {
    handshaken = !ec;
    session.async_execute("first", "", [&](qmp::error_code eec, qmp::Reply r) {
      if (!eec) first = qmp::json::get_int(r.value(), "n");
    });
  });
  std::future<qmp::Reply> second;
  ioc.run_for(2s);  // runs until the first command's reply (then only the reader is left... stopped by deadline)
  ioc.restart();
  EXPECT_TRUE(handshaken);
  EXPECT_EQ(first, 1);
  // use_future: the io_context runs on another thread; the future is waited for here.
  asio::post(ioc, [&] { second = session.async_execute("second", "", asio::use_future); });
  std::thread runner([&] { ioc.run_for(5s); });
  while (!second.valid()) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(qmp::json::get_int(second.get().value(), "n"), 2);
  ioc.stop();
  runner.join();
}

TEST_F(SessionApi, CompletionsRunOnTheHandlersExecutorWithItsAllocator) {
  server.handshake().expect("query-status", R"({"return": {}, "id": $ID})").close();
  adopt();
  server.start();
  asio::io_context other;
  auto allocations = std::make_shared<int>(0);
  bool ran = false;
  bool ran_in_other = false;
  session.async_handshake([&](qmp::error_code) {
    session.async_execute(
        "query-status", "",
        asio::bind_executor(other, asio::bind_allocator(CountingAllocator<char>(allocations),
                                                        [&](qmp::error_code, qmp::Reply) {
                                                          ran = true;
                                                          ran_in_other = other.get_executor().running_in_this_thread();
                                                        })));
  });
  ioc.run_for(1s);
  EXPECT_FALSE(ran) << "the handler ran on the session's io_context instead of its own executor";
  other.run_for(1s);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(ran_in_other);
  EXPECT_GT(*allocations, 0) << "the handler's allocator was not used";
}

TEST_F(SessionApi, ADefaultConstructedSubscriptionNeverCompletesInline) {
  qmp::Subscription none;
  bool done = false;
  qmp::error_code got;
  none.async_next(1s, asio::bind_executor(ioc, [&](qmp::error_code ec, qmp::Message) {
                    done = true;
                    got = ec;
                  }));
  EXPECT_FALSE(done);
  ioc.run_for(1s);
  EXPECT_TRUE(done);
  EXPECT_EQ(got, qmp::errc::subscription_closed);
}

TEST_F(SessionApi, ATotalCancellationWithdrawsAQueuedCommandButNotAWrittenOne) {
  // "second" is queued behind the write of "first", then withdrawn: the server must see "third" next.
  server.handshake()
      .expect("first", "")
      .pause(100ms)
      .send_line(R"({"return": {"n": 1}, "id": $ID})")
      .expect("third", R"({"return": {"n": 3}, "id": $ID})")
      .close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    asio::cancellation_signal first_signal, second_signal;
    std::optional<qmp::error_code> first, second;
    session.async_execute("first", "", asio::bind_cancellation_slot(first_signal.slot(),
                                                                    [&](qmp::error_code ec, qmp::Reply) { first = ec; }));
    session.async_execute("second", "", asio::bind_cancellation_slot(
                                            second_signal.slot(), [&](qmp::error_code ec, qmp::Reply) { second = ec; }));
    second_signal.emit(asio::cancellation_type::total);
    first_signal.emit(asio::cancellation_type::total);  // written already: cannot be withdrawn without effects
    while (!first || !second) co_await qmpc_test::sleep_for(1ms);
    EXPECT_EQ(*second, asio::error::operation_aborted);
    EXPECT_FALSE(*first) << "a written command was cancelled by a total cancellation";
    auto [ec3, r3] = co_await session.async_execute("third", "", tuple_awaitable);
    EXPECT_FALSE(ec3);
    EXPECT_EQ(session.stats().abandoned_replies, 0u);
  });
}

TEST_F(SessionApi, APartialCancellationAbandonsAWrittenCommand) {
  server.handshake()
      .expect("slow", "")
      .pause(100ms)
      .send_line(R"({"return": {}, "id": $ID})")
      .expect("next")
      .close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    asio::cancellation_signal signal;
    std::optional<qmp::error_code> got;
    session.async_execute("slow", "", asio::bind_cancellation_slot(signal.slot(),
                                                                   [&](qmp::error_code ec, qmp::Reply) { got = ec; }));
    co_await qmpc_test::sleep_for(20ms);
    signal.emit(asio::cancellation_type::partial);
    while (!got) co_await qmpc_test::sleep_for(1ms);
    EXPECT_EQ(*got, asio::error::operation_aborted);
    auto [ec2, r2] = co_await session.async_execute("next", "", tuple_awaitable);
    EXPECT_FALSE(ec2);
    EXPECT_EQ(session.stats().abandoned_replies, 1u);
  });
}

TEST_F(SessionApi, CancelEndsOutstandingOperationsAndKeepsTheSessionOpen) {
  server.handshake()
      .expect("slow", "")
      .pause(100ms)
      .send_line(R"({"return": {}, "id": $ID})")
      .expect("next", R"({"return": {"ok": true}, "id": $ID})")
      .close();
  adopt();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    std::optional<qmp::error_code> command, closed;
    session.async_execute("slow", "", [&](qmp::error_code ec, qmp::Reply) { command = ec; });
    session.async_wait_closed(qmp::no_timeout, [&](qmp::error_code ec) { closed = ec; });
    co_await qmpc_test::sleep_for(20ms);
    session.cancel();
    while (!command || !closed) co_await qmpc_test::sleep_for(1ms);
    EXPECT_EQ(*command, asio::error::operation_aborted);
    EXPECT_EQ(*closed, asio::error::operation_aborted);
    EXPECT_TRUE(session.is_open());
    auto [ec2, r2] = co_await session.async_execute("next", "", tuple_awaitable);
    EXPECT_FALSE(ec2) << r2.diagnostics.describe(ec2);
    EXPECT_EQ(qmp::json::get_bool(r2.value(), "ok"), true);
  });
}

TEST_F(SessionApi, NoTimeoutWaitsAsLongAsItTakes) {
  qmp::SessionOptions o = options();
  o.command_timeout = 50ms;
  session = qmp::Session(ioc.get_executor(), o);
  server.handshake()
      .expect("slow", "")
      .pause(300ms)
      .send_line(R"({"return": {}, "id": $ID})")
      .pause(200ms)
      .send_event("STOP")
      .close();
  adopt();
  auto events = session.subscribe();
  server.start();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await handshake());
    qmp::CommandOptions co;
    co.timeout = qmp::no_timeout;
    auto [ec, reply] = co_await session.async_execute("slow", "", co, tuple_awaitable);
    EXPECT_FALSE(ec) << reply.diagnostics.describe(ec);
    auto [eec, ev] = co_await events.async_next(tuple_awaitable);
    EXPECT_FALSE(eec);
    EXPECT_EQ(ev.event_name(), "STOP");
  });
}

}  // namespace
