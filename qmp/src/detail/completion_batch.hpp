// The completions that one read of the reader produces (events to waiting subscribers, replies to commands, and
// on a failure every cancellation), run once the read's lines are handled: in wire order, and inline when the
// handler's executor is the session's (asio::dispatch from the reader, which runs on it). A post for each would
// give each handler a turn of the event loop of its own, after the reactor's poll, on the path from a reply or an
// event to the command it causes. Completions from initiating functions are never batched: those are posted.
#pragma once

#include "detail/completion.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>

#include <utility>
#include <vector>

namespace qmp::detail {

class CompletionBatch {
 public:
  // Between begin() and run(), completions go into the batch.
  void begin() noexcept { open_ = true; }

  // Completes `handler` with `args`: in the batch while it is open, otherwise posted through `ex`.
  template <typename Signature, typename... Args>
  void complete(const boost::asio::any_io_executor& ex, boost::asio::any_completion_handler<Signature> handler,
                Args&&... args) {
    if (!open_) {
      post_completion(ex, std::move(handler), std::forward<Args>(args)...);
      return;
    }
    auto target = boost::asio::get_associated_executor(handler, ex);
    pending_.emplace_back(boost::asio::bind_executor(
        std::move(target),
        [h = std::move(handler), ... a = std::forward<Args>(args)]() mutable { std::move(h)(std::move(a)...); }));
  }

  // Closes the batch and runs what it holds, in order, through `ex` (the reader runs on it: a handler of the same
  // executor runs inline, one of another is handed to its own). A handler that throws loses none of the others:
  // the io_context captures the exception of a function it runs inline and rethrows it from run() once the
  // reader's handler has returned, as it would for a posted handler.
  void run(const boost::asio::any_io_executor& ex) {
    open_ = false;
    if (pending_.empty()) return;
    std::vector<boost::asio::any_completion_handler<void()>> now;
    now.swap(pending_);  // a handler may run the event loop, and with it another read
    for (auto& h : now) boost::asio::dispatch(ex, std::move(h));
    now.clear();
    if (pending_.empty()) pending_.swap(now);  // keeps the capacity for the next read
  }

 private:
  bool open_ = false;
  std::vector<boost::asio::any_completion_handler<void()>> pending_;
};

}  // namespace qmp::detail
