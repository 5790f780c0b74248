// The initiation object of qmpc's asynchronous operations (the first argument of asio::async_initiate).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <utility>

namespace qmp::detail {

// Holds the shared state an operation works on, never the object the caller sees (a Session, Machine or
// Subscription may move, or be destroyed, before a deferred operation runs). Exposes the executor the operation
// runs on, found by executor_of(const std::shared_ptr<State>&) declared beside State, and hands the handler,
// type-erased, with the operation's arguments to `Start`, a function defined in the library.
template <typename State, typename Signature, auto Start>
struct Initiation {
  using executor_type = boost::asio::any_io_executor;

  std::shared_ptr<State> state;

  executor_type get_executor() const noexcept { return executor_of(state); }

  template <typename Handler, typename... Args>
  void operator()(Handler&& h, Args&&... args) const {
    Start(state, boost::asio::any_completion_handler<Signature>(std::forward<Handler>(h)),
          std::forward<Args>(args)...);
  }
};

}  // namespace qmp::detail
