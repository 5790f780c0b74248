// The standard way every async test runs: the test body is a coroutine, run on the test's io_context under a
// deadline, so a bug fails the test instead of hanging it.
//
//   boost::asio::io_context ioc;
//   qmpc_test::run_with_deadline(ioc, [&]() -> boost::asio::awaitable<void> {
//     ...co_await ...
//   });
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <memory>
#include <string>

namespace qmpc_test {

using namespace std::chrono_literals;

namespace detail {
struct RunState {
  bool done = false;
  std::exception_ptr error;
};
std::string describe_duration(std::chrono::steady_clock::duration d);
}  // namespace detail

// Runs the coroutine made by `make` (a callable returning boost::asio::awaitable<T>) on `ioc` until it finishes or
// `deadline` passes. Stops the io_context as soon as the coroutine finishes (background work such as a session's
// reader would otherwise keep it busy). On timeout: ADD_FAILURE and returns false; the suspended coroutine stays
// in the io_context and is destroyed with it (do not run the io_context again after a timeout). An exception
// thrown by the coroutine is rethrown here, failing the test.
template <typename MakeAwaitable>
bool run_with_deadline(boost::asio::io_context& ioc, MakeAwaitable&& make,
                       std::chrono::steady_clock::duration deadline = 30s) {
  auto state = std::make_shared<detail::RunState>();
  boost::asio::co_spawn(ioc, std::forward<MakeAwaitable>(make), [state, &ioc](std::exception_ptr e, auto&&...) {
    state->done = true;
    state->error = e;
    ioc.stop();
  });
  ioc.restart();
  ioc.run_for(deadline);
  ioc.restart();
  if (!state->done) {
    ADD_FAILURE() << "the async test did not finish within " << detail::describe_duration(deadline);
    return false;
  }
  if (state->error) std::rethrow_exception(state->error);
  return true;
}

// Waits `d` on the current coroutine's executor (for pacing scripted scenarios; never as a synchronisation).
boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d);

}  // namespace qmpc_test
