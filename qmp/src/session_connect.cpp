// Connecting a session: connect with retries, accept QEMU's connection, adopt a socket, greeting and negotiation.
#include "detail/completion.hpp"
#include "detail/seconds_text.hpp"
#include "detail/session_core.hpp"
#include "detail/stream_connect.hpp"
#include "qmp/socket_path.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace qmp::detail {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

asio::awaitable<error_code> SessionCore::connect(std::string address_text) {
  std::string why;
  const auto addr = Address::parse(address_text, &why);
  if (!addr) co_return set_failure(errc::invalid_argument, why);
  peer = addr->to_string();
  phase = Phase::connecting;
  StreamConnection conn;
  const error_code ec = co_await connect_stream(ex, *addr, opts.connect_timeout, conn);
  if (ec == asio::error::operation_aborted) {
    phase = Phase::closed;
    co_return ec;
  }
  if (ec) {
    if (ec == errc::connect_failed) {
      log->debug("qmp: {}", conn.diagnostics.what);  // the caller gets it as an error code and diagnostics
      phase = Phase::closed;
    }
    co_return set_failure(static_cast<errc>(ec.value()), std::move(conn.diagnostics.what));
  }
  socket.emplace(std::move(*conn.socket));
  unix_socket = addr->kind == Address::Kind::unix_path;
  co_return co_await handshake(true);
}

asio::awaitable<error_code> SessionCore::accept(std::string path) {
  peer = "unix:" + path;
  phase = Phase::connecting;
  if (path.size() >= sizeof(sockaddr_un{}.sun_path))
    co_return set_failure(errc::invalid_argument, "the socket path '" + path + "' is too long for a UNIX socket");
  Diagnostics refused;  // a live socket, or not a socket: never removed
  error_code ec;
  if (!claim_socket_path(path, ec, refused)) co_return set_failure(errc::connect_failed, refused.what);
  asio::local::stream_protocol::acceptor acceptor(ex);
  acceptor.open(asio::local::stream_protocol(), ec);
  if (!ec) acceptor.bind(asio::local::stream_protocol::endpoint(path), ec);
  OwnedSocketFile bound(ec ? std::string() : path);  // removed on every way out
  if (!ec) acceptor.listen(1, ec);
  if (ec) co_return set_failure(errc::connect_failed, "cannot listen on " + peer + ": " + ec.message());
  asio::steady_timer timer(ex);
  timer.expires_at(deadline_after(opts.connect_timeout));
  auto result = co_await (acceptor.async_accept(use_tuple) || timer.async_wait(use_tuple));
  bound.remove();
  if (result.index() == 1)
    co_return set_failure(errc::timeout, "QEMU did not connect to " + peer + " within " +
                                             seconds_text(opts.connect_timeout));
  auto [aec, sock] = std::get<0>(std::move(result));
  if (aec) co_return set_failure(errc::connect_failed, "accepting on " + peer + " failed: " + aec.message());
  socket.emplace(ex, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), sock.release());
  unix_socket = true;
  co_return co_await handshake(true);
}

void SessionCore::adopt(int fd) {
  int domain = AF_UNIX;
  socklen_t len = sizeof domain;
  ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  socket.emplace(ex, asio::generic::stream_protocol(domain, SOCK_STREAM), fd);
  unix_socket = domain == AF_UNIX;
  peer = "fd " + std::to_string(fd);
}

asio::awaitable<error_code> SessionCore::handshake(bool negotiate) {
  if (!socket) co_return set_failure(errc::invalid_argument, "handshake without a connected socket");
  if (failure) co_return failure;
  const auto deadline = deadline_after(opts.handshake_timeout);
  if (phase != Phase::greeting && !greeted) {
    phase = Phase::greeting;
    start_reading();
  }
  if (!greeted) {
    greeting_cv_.expires_at(deadline);
    co_await greeting_cv_.async_wait(use_tuple);
  }
  if (failure) co_return failure;
  if (!greeted) {
    if (Clock::now() < deadline) {
      fail(errc::session_closed, "the handshake with " + peer + " was cancelled");
      co_return asio::error::operation_aborted;
    }
    fail(errc::timeout, "no QMP greeting from " + peer + " within " + seconds_text(opts.handshake_timeout) +
                            " (is it a QMP monitor? a second client gets no greeting until the first disconnects)");
    co_return failure;
  }
  if (!negotiate) {
    phase = Phase::open;
    co_return error_code{};
  }
  const bool want_oob = opts.enable_oob && greeting.offers("oob");
  CommandOptions co;
  co.timeout = opts.handshake_timeout == no_timeout
                   ? no_timeout
                   : std::max<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(1));
  phase = Phase::open;
  auto [ec, reply] = co_await asio::async_initiate<decltype(use_tuple), ExecuteSignature>(
      [this, want_oob, co](asio::any_completion_handler<ExecuteSignature> h) {
        execute(std::move(h), "qmp_capabilities", want_oob ? R"({"enable":["oob"]})" : "", co);
      },
      use_tuple);
  if (ec) {
    if (kind_of(ec) == error_kind::qmp) {
      fail(errc::capabilities_failed, "qmp_capabilities refused: " + reply.diagnostics.describe(ec));
    } else if (ec == errc::timeout) {
      fail(errc::timeout, "no reply to qmp_capabilities from " + peer + " within " +
                              seconds_text(opts.handshake_timeout));
    } else if (!failure) {
      fail(errc::session_closed, "capabilities negotiation ended: " + reply.diagnostics.describe(ec));
    }
    co_return failure ? failure : ec;
  }
  oob = want_oob;
  log->debug("qmp: connected to {}: QEMU {} ({}), oob {}", peer, greeting.version(), greeting.package,
             oob ? "on" : "off");
  co_return error_code{};
}

}  // namespace qmp::detail
