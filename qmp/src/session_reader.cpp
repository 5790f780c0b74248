// The one reader of a session: bytes -> lines -> messages -> pending table or dispatcher.
#include "detail/completion.hpp"
#include "detail/session_core.hpp"
#include "qmp/codec.hpp"
#include "qmp/event_name_scan.hpp"
#include "qmp/redact.hpp"

#include <boost/asio/error.hpp>

namespace qmp::detail {

namespace asio = boost::asio;

void SessionCore::start_reading() {
  const std::span<char> room = framer_.prepare(kReadSize);
  socket->async_read_some(asio::buffer(room.data(), room.size()),
                          [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void SessionCore::on_read(error_code ec, std::size_t n) {
  if (phase == Phase::closed) return;
  batch.begin();
  read_lines(ec, n);
  // Read again only after the completions for these lines have run: a caller reacting to a reply or an event
  // writes its next command before the reader's next read (which would usually find nothing yet). Posted before
  // they run inline, it runs after them.
  if (phase != Phase::closed) {
    asio::post(ex, [self = shared_from_this()] {
      if (self->phase != Phase::closed) self->start_reading();
    });
  }
  batch.run(ex);
}

void SessionCore::read_lines(error_code ec, std::size_t n) {
  if (ec) {
    if (ec == asio::error::eof) {
      fail(errc::connection_lost, "connection to " + peer + " lost: the monitor closed it (EOF)");
    } else {
      fail(errc::connection_lost, "connection to " + peer + " lost: " + ec.message());
    }
    return;
  }
  stats.bytes_in += n;
  // One clock reading per read, not per line: every line of a read arrived at the same moment.
  const auto received = Clock::now();
  framer_.commit(n);
  std::string_view line;
  for (;;) {
    const auto st = framer_.next(line);
    if (st == LineFramer::Status::need_more) break;
    if (st == LineFramer::Status::too_large) {
      fail(errc::message_too_large, "a message from " + peer + " exceeds " +
                                        std::to_string(opts.max_message_size) +
                                        " bytes (SessionOptions::max_message_size)");
      return;
    }
    handle_line(line, received);
    if (phase == Phase::closed) return;
  }
}

void SessionCore::observe(Direction dir, std::uint64_t seq, Clock::time_point t, std::string_view text) {
  const bool tracing = log->should_log(spdlog::level::trace);
  if (!tracing && !opts.observer) return;
  std::string clean;
  if (may_hold_secret(text)) {
    clean = redact(text);
    text = clean;
  }
  if (tracing) {
    const double secs = std::chrono::duration<double>(t - t0_).count();
    log->trace("qmp {} #{} t={:.6f} {}", dir == Direction::to_qemu ? "send" : "recv", seq, secs, text);
  }
  if (opts.observer) opts.observer->on_message(dir, seq, t, text);
}

void SessionCore::handle_line(std::string_view line, Clock::time_point now) {
  const std::uint64_t seq = ++seq_;
  ++stats.messages_in;
  observe(Direction::from_qemu, seq, now, line);
  // An event no subscriber wants is dropped once its name is read: no parse, no allocation. Not before the
  // greeting (the line must be checked to be one), and never SHUTDOWN, which the session keeps.
  if (greeted && !dispatcher.wants_every_name()) {
    if (const auto name = scan_event_name(line); name && *name != "SHUTDOWN" && !dispatcher.wants(*name)) {
      ++stats.events;
      ++stats.events_unparsed;
      return;
    }
  }
  DecodeError error;
  Message m = decode_message(line, seq, now, error);
  if (!m.valid()) {
    const errc code = error.reason == DecodeError::Reason::malformed_json ? errc::malformed_json
                                                                            : errc::protocol_error;
    fail(code, "message #" + std::to_string(seq) + " from " + peer + ": " + error.what);
    return;
  }
  // A start-up event (RESUME) can reach a client that connects the instant QEMU starts before the greeting does:
  // the monitor's state is set on connect. It is an event like any other; the greeting is still to come.
  if (!greeted && m.kind() != MessageKind::event) {
    std::string why;
    auto g = Greeting::from_message(m, &why);
    if (!g) {
      fail(errc::not_a_greeting, "expected a QMP greeting from " + peer + ", got: " + excerpt(line, 0, 80));
      return;
    }
    greeting = std::move(*g);
    greeted = true;
    greeting_cv_.cancel();
    return;
  }
  switch (m.kind()) {
    case MessageKind::event:
      ++stats.events;
      if (m.event_name() == "SHUTDOWN") shutdown = m;
      dispatcher.dispatch(std::move(m));
      return;
    case MessageKind::reply:
    case MessageKind::error_reply:
      handle_reply(std::move(m));
      return;
    case MessageKind::greeting:
      // Seen from QEMU 5.2 under load, to a client that connected right after another left: harmless.
      log->info("qmp: ignored a second greeting from {}", peer);
      return;
    case MessageKind::command:
      break;
  }
  fail(errc::protocol_error, "unexpected message #" + std::to_string(seq) + " from " + peer);
}

void SessionCore::handle_reply(Message m) {
  const auto id = m.numeric_id();
  if (!id) {
    if (m.kind() == MessageKind::error_reply && !m.id()) {
      fail(errc::protocol_error, "the monitor rejected input it could not read (error without id): " +
                                     std::string(m.error_class()) + ": " + std::string(m.error_desc()));
      return;
    }
    ++stats.unknown_replies;
    log->warn("qmp: dropped reply #{} with an id qmpc never sent: {}", m.seq(), excerpt(m.text(), 0, 120));
    return;
  }
  std::optional<std::shared_ptr<CommandOp>> op;
  switch (pending_.on_reply(*id, op)) {
    case PendingTable<std::shared_ptr<CommandOp>>::Match::unknown:
      ++stats.unknown_replies;
      log->warn("qmp: dropped reply #{} with unknown id {}", m.seq(), *id);
      return;
    case PendingTable<std::shared_ptr<CommandOp>>::Match::abandoned:
      ++stats.abandoned_replies;
      log->debug("qmp: dropped late reply #{} to abandoned command {}", m.seq(), *id);
      return;
    case PendingTable<std::shared_ptr<CommandOp>>::Match::deliver:
      break;
  }
  auto [ec, r] = reply_from_message(std::move(m));
  complete(*op, ec, std::move(r));
}

}  // namespace qmp::detail
