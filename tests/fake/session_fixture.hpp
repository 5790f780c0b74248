// A Session adopted onto one end of a socketpair whose other end a ScriptedServer plays: the fixture of the
// scripted-server session tests.
#pragma once

#include "support/scripted_server.hpp"

#include "qmp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <string>
#include <tuple>

namespace qmpc_test {

inline constexpr auto tuple_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

struct SessionFixture : ::testing::Test {
  boost::asio::io_context ioc;
  ScriptedServer server{ioc.get_executor()};
  qmp::Session session{ioc.get_executor(), options()};

  static qmp::SessionOptions options() {
    qmp::SessionOptions o;
    o.handshake_timeout = std::chrono::seconds(2);
    o.command_timeout = std::chrono::seconds(5);
    return o;
  }
  void adopt() { session.adopt(server.release_client_fd()); }
  boost::asio::awaitable<qmp::error_code> handshake() {
    auto [ec] = co_await session.async_handshake(tuple_awaitable);
    co_return ec;
  }
  boost::asio::awaitable<std::tuple<qmp::error_code, qmp::Reply>> exec(std::string name, std::string args = "",
                                                                        qmp::CommandOptions o = {}) {
    co_return co_await session.async_execute(name, args, std::move(o), tuple_awaitable);
  }
};

}  // namespace qmpc_test
