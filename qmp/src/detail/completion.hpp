// Completing an any_completion_handler: always posted, never inline from the initiating function.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include <tuple>
#include <utility>

namespace qmp::detail {

// Posts `handler(args...)` to the session's executor (the one executor everything of a session runs on).
template <typename Signature, typename... Args>
void post_completion(const boost::asio::any_io_executor& ex, boost::asio::any_completion_handler<Signature> handler,
                     Args&&... args) {
  boost::asio::post(ex, [h = std::move(handler), a = std::make_tuple(std::forward<Args>(args)...)]() mutable {
    std::apply([&h](auto&&... v) { std::move(h)(std::move(v)...); }, std::move(a));
  });
}

}  // namespace qmp::detail
