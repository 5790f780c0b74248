#include "detail/stream_connect.hpp"

#include "detail/completion.hpp"
#include "detail/deadline_after.hpp"
#include "detail/seconds_text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/un.h>

namespace qmp::detail {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// QEMU is still starting: the socket is not there yet, or nobody listens on it yet.
bool retryable_connect_error(const error_code& ec) {
  return ec == asio::error::connection_refused || ec == asio::error::try_again ||
         ec == boost::system::errc::no_such_file_or_directory || ec == asio::error::would_block;
}

}  // namespace

asio::awaitable<error_code> connect_stream(asio::any_io_executor ex, const Address& addr, Clock::duration timeout,
                                           StreamConnection& out) {
  using socket_type = asio::generic::stream_protocol::socket;
  out.peer = addr.to_string();
  if (addr.kind == Address::Kind::unix_path && addr.path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    out.diagnostics.what = "the socket path '" + addr.path + "' is longer than " +
                           std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                           " bytes, the limit of UNIX socket addresses";
    co_return make_error_code(errc::invalid_argument);
  }
  const auto deadline = deadline_after(timeout);
  asio::steady_timer timer(ex);
  auto backoff = std::chrono::milliseconds(2);
  error_code last;
  int attempts = 0;
  for (;;) {
    ++attempts;
    asio::generic::stream_protocol::endpoint ep;
    if (addr.kind == Address::Kind::unix_path) {
      ep = asio::local::stream_protocol::endpoint(addr.path);
    } else {
      asio::ip::tcp::resolver resolver(ex);
      auto [rec, results] = co_await resolver.async_resolve(addr.host, std::to_string(addr.port), use_tuple);
      if (rec == asio::error::operation_aborted) co_return rec;
      if (rec || results.empty()) {
        last = rec ? rec : asio::error::host_not_found;
        break;
      }
      ep = results.begin()->endpoint();
    }
    socket_type s(ex);
    timer.expires_at(deadline);
    auto result = co_await (s.async_connect(ep, use_tuple) || timer.async_wait(use_tuple));
    if (result.index() == 1) {
      // The deadline, or a cancellation of the whole operation (the timer's wait was aborted).
      if (std::get<0>(std::get<1>(result)) == asio::error::operation_aborted) co_return asio::error::operation_aborted;
      last = asio::error::timed_out;
      break;
    }
    auto [cec] = std::get<0>(result);
    if (cec == asio::error::operation_aborted) co_return cec;
    if (!cec) {
      out.socket.emplace(std::move(s));
      co_return error_code{};
    }
    last = cec;
    if (!retryable_connect_error(cec) || Clock::now() + backoff >= deadline) break;
    timer.expires_after(backoff);
    if (auto [wec] = co_await timer.async_wait(use_tuple); wec == asio::error::operation_aborted) co_return wec;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::milliseconds(100));
  }
  std::string desc = "cannot connect to " + out.peer + ": " + last.message() + " (errno " +
                     std::to_string(last.value()) + ")";
  if (attempts > 1) desc += "; retried " + std::to_string(attempts) + " times for " + seconds_text(timeout);
  if (last == boost::system::errc::no_such_file_or_directory)
    desc += "; check that QEMU runs with -qmp unix:" + addr.path + ",server=on,wait=off";
  out.diagnostics.what = std::move(desc);
  co_return make_error_code(errc::connect_failed);
}

void start_connect_stream(asio::any_io_executor ex, Address address, Clock::duration timeout,
                          asio::any_completion_handler<StreamConnectSignature> handler) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  auto out = std::make_shared<StreamConnection>();
  auto work = [](asio::any_io_executor on, Address to, Clock::duration within,
                 std::shared_ptr<StreamConnection> into) -> asio::awaitable<error_code> {
    co_return co_await connect_stream(on, to, within, *into);
  };
  asio::co_spawn(ex, work(ex, std::move(address), timeout, out),
                 asio::bind_cancellation_slot(
                     slot, [ex, out, h = std::move(handler)](std::exception_ptr e, error_code ec) mutable {
                       if (e) {
                         try {
                           std::rethrow_exception(e);
                         } catch (const std::exception& what) {
                           out->diagnostics.what = std::string("connecting failed: ") + what.what();
                           ec = make_error_code(errc::connect_failed);
                         }
                       }
                       post_completion(ex, std::move(h), ec, std::move(*out));
                     }));
}

}  // namespace qmp::detail
