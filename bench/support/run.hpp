// Runs a benchmark body (a coroutine) on an io_context under a deadline, and the small awaitable helpers the
// benchmarks share.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>

namespace qmpc_bench {

inline constexpr auto tuple_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

// Runs the coroutine made by `make` until it finishes; throws std::runtime_error when `deadline` passes first, and
// rethrows what the coroutine threw.
template <typename MakeAwaitable>
void run_coroutine(boost::asio::io_context& ioc, MakeAwaitable&& make, std::chrono::steady_clock::duration deadline) {
  struct State {
    bool done = false;
    std::exception_ptr error;
  };
  auto state = std::make_shared<State>();
  boost::asio::co_spawn(ioc, std::forward<MakeAwaitable>(make), [state, &ioc](std::exception_ptr e, auto&&...) {
    state->done = true;
    state->error = e;
    ioc.stop();
  });
  ioc.restart();
  ioc.run_for(deadline);
  ioc.restart();
  if (!state->done) throw std::runtime_error("benchmark did not finish before its deadline");
  if (state->error) std::rethrow_exception(state->error);
}

inline boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(tuple_awaitable);
}

}  // namespace qmpc_bench
