// Session::async_accept never takes over a socket another program listens on.
#include "support/deadline.hpp"

#include "qmp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(SessionAccept, ASocketAnotherProgramListensOnIsRefusedAndKept) {
  const std::string path = "/tmp/qmpc-accept-live-" + std::to_string(::getpid()) + ".sock";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 4), 0);

  asio::io_context ioc;
  qmp::SessionOptions o;
  o.connect_timeout = 2s;
  qmp::Session session(ioc.get_executor(), o);
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await session.async_accept(path, asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, qmp::errc::connect_failed);
    EXPECT_NE(session.failure_diagnostics().what.find("another program listens"), std::string::npos)
        << session.failure_diagnostics().what;
  });
  EXPECT_TRUE(std::filesystem::is_socket(path));
  ::close(listener);
  ::unlink(path.c_str());
}

}  // namespace
