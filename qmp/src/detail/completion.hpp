// Completing an any_completion_handler: always through its associated executor, never inline.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace qmp::detail {

// Posts `handler(args...)` through `fallback`; asio hands it on to the handler's own associated executor.
template <typename Signature, typename... Args>
void post_completion(const boost::asio::any_io_executor& fallback,
                     boost::asio::any_completion_handler<Signature> handler, Args&&... args) {
  boost::asio::post(fallback, boost::asio::append(std::move(handler), std::forward<Args>(args)...));
}

}  // namespace qmp::detail
