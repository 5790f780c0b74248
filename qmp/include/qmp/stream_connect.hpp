// Connecting a stream socket to a QMP monitor's address, retrying while QEMU is still starting: a UNIX socket that
// is not there yet or that nobody listens on yet, or a refused TCP port, is tried again (backing off from 2 ms to
// 100 ms) until the deadline. Session::async_connect and qmpc proxy connect through it.
#pragma once

#include "qmp/address.hpp"
#include "qmp/error.hpp"
#include "qmp/message.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/generic/stream_protocol.hpp>

#include <optional>
#include <string>

namespace qmp {

struct StreamConnection {
  std::optional<boost::asio::generic::stream_protocol::socket> socket;  // connected, on success
  std::string peer;  // the address as text: "unix:/run/vm.qmp", "tcp:127.0.0.1:4444"
  // On failure: the address, the last error and its errno, how long it was retried, and a hint when the socket
  // is missing.
  Diagnostics diagnostics;
};

using StreamConnectSignature = void(error_code, StreamConnection);

namespace detail {
void start_connect_stream(boost::asio::any_io_executor ex, Address address, Clock::duration timeout,
                          boost::asio::any_completion_handler<StreamConnectSignature> handler);
}  // namespace detail

// Connects to `address` within `timeout` (qmp::no_timeout: retries as long as it takes). Completes with
// errc::invalid_argument (a UNIX path too long for an address) or errc::connect_failed, explained in the
// connection's diagnostics. Cancellation: terminal, through the handler's slot (operation_aborted).
template <typename Token>
auto async_connect_stream(boost::asio::any_io_executor ex, Address address, Clock::duration timeout, Token&& token) {
  return boost::asio::async_initiate<Token, StreamConnectSignature>(
      [](auto handler, boost::asio::any_io_executor on, Address to, Clock::duration within) {
        detail::start_connect_stream(std::move(on), std::move(to), within,
                                     boost::asio::any_completion_handler<StreamConnectSignature>(std::move(handler)));
      },
      token, std::move(ex), std::move(address), timeout);
}

}  // namespace qmp
