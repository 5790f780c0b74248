// Commands: the pending entry with its deadline and cancellation, and the one writer that drains the queue.
#include "detail/completion.hpp"
#include "detail/seconds_text.hpp"
#include "detail/session_core.hpp"
#include "qmp/codec.hpp"
#include "qmp/fd_passing.hpp"
#include "qmp/json.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>


namespace qmp::detail {

namespace asio = boost::asio;

namespace {

// Arguments must be one JSON object: anything else would make QEMU answer with an error without id, which ends the
// session, so it is refused before it is written.
bool is_json_object(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  if (i == text.size() || text[i] != '{') return false;
  return !json::check_syntax(text);
}

}  // namespace

void SessionCore::execute(asio::any_completion_handler<ExecuteSignature> h, std::string name, std::string args,
                          CommandOptions options) {
  auto refuse = [&](error_code code, std::string desc) {
    Reply r;
    r.diagnostics.what = std::move(desc);
    post_completion(ex, std::move(h), code, std::move(r));
  };
  if (phase == Phase::closed || !socket) {
    const error_code code = failure ? failure : make_error_code(errc::session_closed);
    refuse(code, "'" + name + "' not sent: " + (failure_diag.what.empty() ? "the session is not open" : failure_diag.what));
    return;
  }
  if (options.oob && !oob) {
    refuse(make_error_code(errc::oob_not_available), "'" + name + "' not sent: exec-oob needs the oob capability, "
                                                     "which was not negotiated (SessionOptions::enable_oob)");
    return;
  }
  if (!options.fds.empty() && !unix_socket) {
    refuse(make_error_code(errc::fd_passing_unsupported), "'" + name + "' not sent: file descriptors can only be passed "
                                                          "over a UNIX socket");
    return;
  }
  if (!args.empty() && !is_json_object(args)) {
    refuse(make_error_code(errc::invalid_argument), "'" + name + "' not sent: its arguments are not a JSON object: " +
                                                        excerpt(args, 0, 60));
    return;
  }
  auto op = std::make_shared<CommandOp>(ex, std::move(h));
  op->name = name;
  op->timeout = options.timeout.value_or(opts.command_timeout);
  const std::uint64_t id = pending_.add(op);
  write_queue_.push_back(Outgoing{encode_command(name, args, id, options.oob), std::move(options.fds), id});
  // Write first, arm the deadline after: the timer's system call stays off the path to the wire.
  write_next();
  if (op->timeout != no_timeout) {
    op->timer.expires_after(op->timeout);
    op->timer.async_wait([w = weak_from_this(), id](error_code ec) {
      if (ec) return;
      if (auto self = w.lock()) self->give_up(id, make_error_code(errc::timeout), false);
    });
  }
  op->slot = asio::get_associated_cancellation_slot(op->handler);
  if (op->slot.is_connected()) {
    op->slot.assign([w = weak_from_this(), id](asio::cancellation_type type) {
      if (auto self = w.lock()) self->on_cancel(id, type);
    });
  }
}

void SessionCore::on_cancel(std::uint64_t id, asio::cancellation_type type) {
  const auto state = pending_.state(id);
  if (!state) return;
  // Once written, QEMU runs the command whatever happens here: only a cancellation that accepts side effects
  // (partial or terminal) may abandon it. A queued command is withdrawn for any type.
  constexpr auto with_side_effects = asio::cancellation_type::partial | asio::cancellation_type::terminal;
  if (*state != CommandState::queued && (type & with_side_effects) == asio::cancellation_type::none) return;
  give_up(id, asio::error::operation_aborted, true);
}

void SessionCore::cancel_all() {
  for (const std::uint64_t id : pending_.live_ids()) give_up(id, asio::error::operation_aborted, false);
  auto waiters = std::move(closed_waiters_);
  closed_waiters_.clear();
  for (auto& w : waiters) finish_waiter(w, asio::error::operation_aborted);
}

void SessionCore::give_up(std::uint64_t id, error_code ec, bool from_slot) {
  auto op = pending_.abandon(id);
  if (!op) return;
  Reply r;
  if (ec == errc::timeout) {
    r.diagnostics.what = "no reply to '" + (*op)->name + "' from " + peer + " within " + seconds_text((*op)->timeout);
  } else {
    r.diagnostics.what = "'" + (*op)->name + "' cancelled by the caller";
  }
  complete(*op, ec, std::move(r), from_slot);
}

void SessionCore::complete(const std::shared_ptr<CommandOp>& op, error_code ec, Reply reply, bool from_slot) {
  op->timer.cancel();
  if (!from_slot && op->slot.is_connected()) op->slot.clear();
  batch.complete(ex, std::move(op->handler), ec, std::move(reply));
}

void SessionCore::write_next() {
  if (writing_ || !socket || phase == Phase::closed) return;
  write_buf_.clear();
  std::vector<int> fds;
  while (!write_queue_.empty()) {
    Outgoing& o = write_queue_.front();
    if (!pending_.state(o.id)) {  // cancelled or timed out before it was written
      write_queue_.pop_front();
      continue;
    }
    if (!o.fds.empty()) {
      if (!write_buf_.empty()) break;  // send what is batched first; fds go with their own command
      fds = std::move(o.fds);
    }
    const std::uint64_t seq = ++seq_;
    ++stats.messages_out;
    observe(Direction::to_qemu, seq, Clock::now(), std::string_view(o.bytes).substr(0, o.bytes.size() - 1));
    pending_.mark_written(o.id);
    write_buf_ += o.bytes;
    write_queue_.pop_front();
    if (!fds.empty()) break;
  }
  if (write_buf_.empty()) return;
  writing_ = true;
  stats.bytes_out += write_buf_.size();
  if (!fds.empty()) {
    async_write_with_fds(*socket, write_buf_, std::move(fds),
                         [self = shared_from_this()](error_code ec) { self->on_written(ec); });
    return;
  }
  asio::async_write(*socket, asio::buffer(write_buf_),
                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_written(ec); });
}

void SessionCore::on_written(error_code ec) {
  writing_ = false;
  if (phase == Phase::closed) return;
  if (ec) {
    fail(errc::connection_lost, "connection to " + peer + " lost while writing: " + ec.message());
    return;
  }
  write_next();
}

}  // namespace qmp::detail
