// qmp::async_connect_stream on its own (Session::async_connect's retries are tested in session_fake_test.cpp).
#include "session_fixture.hpp"
#include "support/deadline.hpp"

#include "qmp/stream_connect.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_test::tuple_awaitable;

TEST(StreamConnect, RetriesAMissingSocketUntilSomeoneListens) {
  asio::io_context ioc;
  const std::string path = "/tmp/qmpc-stream-connect-" + std::to_string(::getpid()) + ".sock";
  ::unlink(path.c_str());
  std::optional<asio::local::stream_protocol::acceptor> acceptor;
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    asio::steady_timer t(ioc, 100ms);
    t.async_wait([&](qmp::error_code) { acceptor.emplace(ioc, asio::local::stream_protocol::endpoint(path)); });
    auto [ec, conn] = co_await qmp::async_connect_stream(ioc.get_executor(), *qmp::Address::parse(path), 5s,
                                                         tuple_awaitable);
    EXPECT_FALSE(ec) << conn.diagnostics.what;
    EXPECT_TRUE(conn.socket && conn.socket->is_open());
    EXPECT_EQ(conn.peer, "unix:" + path);
  });
  ::unlink(path.c_str());
}

TEST(StreamConnect, GivesUpNamingTheAddressTheErrorAndTheRetries) {
  asio::io_context ioc;
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec, conn] = co_await qmp::async_connect_stream(
        ioc.get_executor(), *qmp::Address::parse("/tmp/qmpc-no-such-stream.sock"), 100ms, tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::connect_failed);
    EXPECT_FALSE(conn.socket);
    const auto& desc = conn.diagnostics.what;
    EXPECT_NE(desc.find("unix:/tmp/qmpc-no-such-stream.sock"), std::string::npos) << desc;
    EXPECT_NE(desc.find("errno 2"), std::string::npos) << desc;
    EXPECT_NE(desc.find("retried"), std::string::npos) << desc;
    EXPECT_NE(desc.find("server=on,wait=off"), std::string::npos) << desc;
  });
}

TEST(StreamConnect, APathTooLongForAUnixAddressIsAnInvalidArgument) {
  asio::io_context ioc;
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec, conn] = co_await qmp::async_connect_stream(ioc.get_executor(),
                                                         *qmp::Address::parse("/tmp/" + std::string(200, 'x')),
                                                         5s, tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::invalid_argument);
    EXPECT_NE(conn.diagnostics.what.find("limit of UNIX socket addresses"), std::string::npos)
        << conn.diagnostics.what;
  });
}

TEST(StreamConnect, ATerminalCancellationEndsTheRetries) {
  asio::io_context ioc;
  asio::cancellation_signal cancel;
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    asio::steady_timer t(ioc, 100ms);
    t.async_wait([&](qmp::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    auto [ec, conn] = co_await qmp::async_connect_stream(
        ioc.get_executor(), *qmp::Address::parse("/tmp/qmpc-no-such-stream.sock"), 60s,
        asio::bind_cancellation_slot(cancel.slot(), tuple_awaitable));
    EXPECT_EQ(ec, asio::error::operation_aborted);
    EXPECT_FALSE(conn.socket);
  });
}

}  // namespace
