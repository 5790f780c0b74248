// Completing an any_completion_handler: posted, never inline from the initiating function (the reader batches
// its own: detail/completion_batch.hpp), and on the
// handler's associated executor with its associated allocator (asio::append keeps both, a lambda would not).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace qmp::detail {

// Posts `handler(args...)` through the session's executor `ex` to the handler's associated executor (which
// defaults to `ex`).
template <typename Signature, typename... Args>
void post_completion(const boost::asio::any_io_executor& ex, boost::asio::any_completion_handler<Signature> handler,
                     Args&&... args) {
  boost::asio::post(ex, boost::asio::append(std::move(handler), std::forward<Args>(args)...));
}

}  // namespace qmp::detail
