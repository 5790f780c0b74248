// The session's shared state: construction, failure and the end of the connection.
#include "detail/session_core.hpp"

#include "detail/completion.hpp"

#include <spdlog/sinks/null_sink.h>

namespace qmp::detail {

namespace asio = boost::asio;

namespace {

std::shared_ptr<spdlog::logger> null_logger() {
  static auto l = std::make_shared<spdlog::logger>("qmp-null", std::make_shared<spdlog::sinks::null_sink_mt>());
  return l;
}

}  // namespace

SessionCore::SessionCore(asio::any_io_executor executor, SessionOptions options)
    : ex(std::move(executor)),
      opts(std::move(options)),
      log(opts.logger ? opts.logger : null_logger()),
      framer_(opts.max_message_size),
      t0_(Clock::now()),
      greeting_cv_(ex) {}

error_code SessionCore::set_failure(errc code, std::string desc) {
  if (!failure) {
    failure = make_error_code(code);
    failure_diag.desc = std::move(desc);
  }
  return failure;
}

void SessionCore::wait_closed(asio::any_completion_handler<WaitSignature> h, Clock::duration timeout) {
  if (phase == Phase::closed) {
    post_completion(ex, std::move(h), error_code{});
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(ex, timeout);
  closed_waiters_.push_back(ClosedWaiter{std::move(h), timer});
  auto it = std::prev(closed_waiters_.end());
  timer->async_wait([w = weak_from_this(), it, timer](error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->phase == Phase::closed) return;
    auto handler = std::move(it->handler);
    self->closed_waiters_.erase(it);
    post_completion(self->ex, std::move(handler), make_error_code(errc::timeout));
  });
}

void SessionCore::fail(errc code, std::string desc) {
  if (phase == Phase::closed) return;
  // Debug level only: the caller gets the failure as an error code with these words in its diagnostics.
  log->debug("qmp: session ended: {}{}", desc, shutdown ? " (after SHUTDOWN)" : "");
  set_failure(code, desc);
  phase = Phase::closed;
  error_code ignored;
  if (socket) socket->close(ignored);
  greeting_cv_.cancel();
  write_queue_.clear();
  for (auto& [id, op] : pending_.take_all()) {
    Reply r;
    r.diagnostics.desc = "'" + op->name + "' got no reply: " + failure_diag.desc;
    complete(op, failure, std::move(r));
  }
  dispatcher.close_all(failure);
  auto waiters = std::move(closed_waiters_);
  closed_waiters_.clear();
  for (auto& w : waiters) {
    w.timer->cancel();
    post_completion(ex, std::move(w.handler), error_code{});
  }
}

}  // namespace qmp::detail
