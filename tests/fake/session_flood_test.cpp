// A flood of events must not stall replies, and a slow subscriber must not hold memory beyond its bound.
#include "support/deadline.hpp"
#include "support/scripted_server.hpp"

#include "qmp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string flood(int n) {
  std::string out;
  out.reserve(static_cast<std::size_t>(n) * 150);
  for (int i = 0; i < n; ++i) {
    out += R"({"timestamp": {"seconds": 1795626326, "microseconds": 226244}, "event": "BLOCK_JOB_ERROR", )"
           R"("data": {"device": "job0", "operation": "write", "action": "ignore", "n": )" +
           std::to_string(i) + "}}\r\n";
  }
  return out;
}

TEST(SessionFlood, SlowSubscriberDuringA100kFloodWhileCommandsKeepCompleting) {
  constexpr int kEvents = 100000;
  asio::io_context ioc;
  qmpc_test::ScriptedServer server(ioc.get_executor());
  qmp::Session session(ioc.get_executor());
  // ids: 1 caps, 2 before the flood, 3 after it.
  server.handshake()
      .expect("query-status", "")
      .send_raw(flood(kEvents / 2) + "{\"return\": {\"first\": true}, \"id\": 2}\r\n" + flood(kEvents / 2))
      .expect("query-status", R"({"return": {"second": true}, "id": $ID})")
      .close();
  session.adopt(server.release_client_fd());
  // Never read until the end: holds at most 1000 events.
  auto slow = session.subscribe({{"BLOCK_JOB_ERROR"}, {}}, {1000, qmp::OverflowPolicy::drop_oldest});
  // Reads everything as it comes.
  auto fast = session.subscribe({{"BLOCK_JOB_ERROR"}, {}}, {kEvents, qmp::OverflowPolicy::drop_oldest});
  server.start();
  qmpc_test::run_with_deadline(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto [hec] = co_await session.async_handshake(tuple_awaitable);
        EXPECT_FALSE(hec);
        auto [ec, r] = co_await session.async_execute("query-status", "", tuple_awaitable);
        EXPECT_FALSE(ec);
        EXPECT_EQ(qmp::json::get_bool(r.value(), "first"), true);
        auto [ec2, r2] = co_await session.async_execute("query-status", "", tuple_awaitable);
        EXPECT_FALSE(ec2);
        EXPECT_EQ(qmp::json::get_bool(r2.value(), "second"), true);
        // Every event reached the fast subscriber, in order.
        std::int64_t expect_n = 0;
        std::uint64_t last_seq = 0;
        for (;;) {
          auto m = fast.try_next();
          if (!m) break;
          EXPECT_EQ(qmp::json::get_int(*m->data(), "n"), expect_n % (kEvents / 2));
          EXPECT_GT(m->seq(), last_seq);
          last_seq = m->seq();
          ++expect_n;
        }
        EXPECT_EQ(expect_n, kEvents);
        EXPECT_EQ(fast.dropped(), 0u);
        // The slow one kept only the newest 1000 and counted the rest.
        EXPECT_EQ(slow.queued(), 1000u);
        EXPECT_EQ(slow.dropped(), static_cast<std::uint64_t>(kEvents - 1000));
        auto first_kept = slow.try_next();
        if (!first_kept) {
          ADD_FAILURE() << "nothing kept";
          co_return;
        }
        EXPECT_EQ(slow.last_gap(), static_cast<std::uint64_t>(kEvents - 1000));
        EXPECT_EQ(qmp::json::get_int(*first_kept->data(), "n"), kEvents / 2 - 1000);
      },
      60s);
}

}  // namespace
