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
    failure_diag.what = std::move(desc);
  }
  return failure;
}

void SessionCore::wait_closed(asio::any_completion_handler<WaitSignature> h, Clock::duration timeout) {
  if (phase == Phase::closed) {
    post_completion(ex, std::move(h), error_code{});
    return;
  }
  const std::uint64_t id = ++next_waiter_id_;
  auto& w = closed_waiters_.emplace_back(ClosedWaiter{std::move(h), nullptr, {}, id});
  if (timeout != no_timeout) {
    w.timer = std::make_shared<asio::steady_timer>(ex, timeout);
    w.timer->async_wait([wk = weak_from_this(), id](error_code ec) {
      if (ec) return;
      if (auto self = wk.lock()) self->drop_waiter(id, make_error_code(errc::timeout), false);
    });
  }
  w.slot = asio::get_associated_cancellation_slot(w.handler);
  if (w.slot.is_connected()) {
    w.slot.assign([wk = weak_from_this(), id](asio::cancellation_type) {
      if (auto self = wk.lock()) self->drop_waiter(id, asio::error::operation_aborted, true);
    });
  }
}

void SessionCore::drop_waiter(std::uint64_t id, error_code ec, bool from_slot) {
  for (auto it = closed_waiters_.begin(); it != closed_waiters_.end(); ++it) {
    if (it->id != id) continue;
    ClosedWaiter w = std::move(*it);
    closed_waiters_.erase(it);
    finish_waiter(w, ec, from_slot);
    return;
  }
}

void SessionCore::finish_waiter(ClosedWaiter& w, error_code ec, bool from_slot) {
  if (w.timer) w.timer->cancel();
  if (!from_slot && w.slot.is_connected()) w.slot.clear();
  post_completion(ex, std::move(w.handler), ec);
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
    r.diagnostics.what = "'" + op->name + "' got no reply: " + failure_diag.what;
    complete(op, failure, std::move(r));
  }
  dispatcher.close_all(failure);
  auto waiters = std::move(closed_waiters_);
  closed_waiters_.clear();
  for (auto& w : waiters) finish_waiter(w, error_code{});
}

}  // namespace qmp::detail
