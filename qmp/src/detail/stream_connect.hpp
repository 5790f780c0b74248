// The coroutine behind qmp::async_connect_stream, awaited directly by SessionCore::connect.
#pragma once

#include "qmp/stream_connect.hpp"

#include <boost/asio/awaitable.hpp>

namespace qmp::detail {

// Fills `out` (its socket on success, its diagnostics otherwise) and returns what async_connect_stream completes
// with.
boost::asio::awaitable<error_code> connect_stream(boost::asio::any_io_executor ex, const Address& address,
                                                  Clock::duration timeout, StreamConnection& out);

}  // namespace qmp::detail
