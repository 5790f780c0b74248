#include "detail/session_core.hpp"

#include "detail/completion.hpp"
#include "qmp/codec.hpp"
#include "qmp/redact.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <rapidjson/reader.h>
#include <spdlog/sinks/null_sink.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qmp::detail {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::shared_ptr<spdlog::logger> null_logger() {
  static auto l = std::make_shared<spdlog::logger>("qmp-null", std::make_shared<spdlog::sinks::null_sink_mt>());
  return l;
}

std::string seconds_text(Clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

bool is_json_object(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  if (i == text.size() || text[i] != '{') return false;
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> handler;
  rapidjson::MemoryStream ms(text.data(), text.size());
  return !reader.Parse(ms, handler).IsError();
}

bool retryable_connect_error(const error_code& ec) {
  return ec == asio::error::connection_refused || ec == asio::error::try_again ||
         ec == boost::system::errc::no_such_file_or_directory || ec == asio::error::would_block;
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

asio::awaitable<error_code> SessionCore::connect(std::string address_text) {
  std::string why;
  const auto addr = Address::parse(address_text, &why);
  if (!addr) co_return set_failure(errc::invalid_argument, why);
  peer = addr->to_string();
  phase = Phase::connecting;
  const auto deadline = Clock::now() + opts.connect_timeout;
  asio::steady_timer timer(ex);
  auto backoff = std::chrono::milliseconds(2);
  error_code last;
  int attempts = 0;
  for (;;) {
    ++attempts;
    asio::generic::stream_protocol::endpoint ep;
    if (addr->kind == Address::Kind::unix_path) {
      if (addr->path.size() >= sizeof(sockaddr_un{}.sun_path))
        co_return set_failure(errc::invalid_argument, "the socket path '" + addr->path + "' is longer than " +
                                                          std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                                          " bytes, the limit of UNIX socket addresses");
      ep = asio::local::stream_protocol::endpoint(addr->path);
    } else {
      asio::ip::tcp::resolver resolver(ex);
      auto [rec, results] = co_await resolver.async_resolve(addr->host, std::to_string(addr->port), use_tuple);
      if (rec || results.empty()) {
        last = rec ? rec : asio::error::host_not_found;
        break;
      }
      ep = results.begin()->endpoint();
    }
    socket_type s(ex);
    timer.expires_at(deadline);
    auto result = co_await (s.async_connect(ep, use_tuple) || timer.async_wait(use_tuple));
    if (result.index() == 1) {
      last = asio::error::timed_out;
      break;
    }
    auto [cec] = std::get<0>(result);
    if (!cec) {
      socket.emplace(std::move(s));
      unix_socket = addr->kind == Address::Kind::unix_path;
      break;
    }
    last = cec;
    if (!retryable_connect_error(cec) || Clock::now() + backoff >= deadline) break;
    timer.expires_after(backoff);
    co_await timer.async_wait(use_tuple);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::milliseconds(100));
  }
  if (!socket) {
    std::string desc = "cannot connect to " + peer + ": " + last.message() + " (errno " + std::to_string(last.value()) +
                       ")";
    if (attempts > 1) desc += "; retried " + std::to_string(attempts) + " times for " + seconds_text(opts.connect_timeout);
    if (last == boost::system::errc::no_such_file_or_directory)
      desc += "; check that QEMU runs with -qmp unix:" + addr->path + ",server=on,wait=off";
    log->error("qmp: {}", desc);
    phase = Phase::closed;
    co_return set_failure(errc::connect_failed, desc);
  }
  co_return co_await handshake(true);
}

asio::awaitable<error_code> SessionCore::accept(std::string path) {
  peer = "unix:" + path;
  phase = Phase::connecting;
  if (path.size() >= sizeof(sockaddr_un{}.sun_path))
    co_return set_failure(errc::invalid_argument, "the socket path '" + path + "' is too long for a UNIX socket");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
  asio::local::stream_protocol::acceptor acceptor(ex);
  error_code ec;
  acceptor.open(asio::local::stream_protocol(), ec);
  if (!ec) acceptor.bind(asio::local::stream_protocol::endpoint(path), ec);
  if (!ec) acceptor.listen(1, ec);
  if (ec) co_return set_failure(errc::connect_failed, "cannot listen on " + peer + ": " + ec.message());
  asio::steady_timer timer(ex);
  timer.expires_after(opts.connect_timeout);
  auto result = co_await (acceptor.async_accept(use_tuple) || timer.async_wait(use_tuple));
  ::unlink(path.c_str());
  if (result.index() == 1)
    co_return set_failure(errc::timeout, "QEMU did not connect to " + peer + " within " +
                                             seconds_text(opts.connect_timeout));
  auto [aec, sock] = std::get<0>(std::move(result));
  if (aec) co_return set_failure(errc::connect_failed, "accepting on " + peer + " failed: " + aec.message());
  socket.emplace(ex, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), sock.release());
  unix_socket = true;
  co_return co_await handshake(true);
}

void SessionCore::adopt(int fd) {
  int domain = AF_UNIX;
  socklen_t len = sizeof domain;
  ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  socket.emplace(ex, asio::generic::stream_protocol(domain, SOCK_STREAM), fd);
  unix_socket = domain == AF_UNIX;
  peer = "fd " + std::to_string(fd);
}

asio::awaitable<error_code> SessionCore::handshake(bool negotiate) {
  if (!socket) co_return set_failure(errc::invalid_argument, "handshake without a connected socket");
  if (failure) co_return failure;
  const auto deadline = Clock::now() + opts.handshake_timeout;
  if (phase != Phase::greeting && !greeted) {
    phase = Phase::greeting;
    start_reading();
  }
  if (!greeted) {
    greeting_cv_.expires_at(deadline);
    co_await greeting_cv_.async_wait(use_tuple);
  }
  if (failure) co_return failure;
  if (!greeted) {
    if (Clock::now() < deadline) {
      fail(errc::session_closed, "the handshake with " + peer + " was cancelled");
      co_return asio::error::operation_aborted;
    }
    fail(errc::timeout, "no QMP greeting from " + peer + " within " + seconds_text(opts.handshake_timeout) +
                            " (is it a QMP monitor? a second client gets no greeting until the first disconnects)");
    co_return failure;
  }
  if (!negotiate) {
    phase = Phase::open;
    co_return error_code{};
  }
  const bool want_oob = opts.enable_oob && greeting.offers("oob");
  CommandOptions co;
  co.timeout = std::max<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(1));
  phase = Phase::open;
  auto [ec, reply] = co_await asio::async_initiate<decltype(use_tuple), ExecuteSignature>(
      [this, want_oob, co](asio::any_completion_handler<ExecuteSignature> h) {
        execute(std::move(h), "qmp_capabilities", want_oob ? R"({"enable":["oob"]})" : "", co);
      },
      use_tuple);
  if (ec) {
    if (kind_of(ec) == error_kind::qmp) {
      fail(errc::capabilities_failed, "qmp_capabilities refused: " + reply.diagnostics.describe(ec));
    } else if (ec == errc::timeout) {
      fail(errc::timeout, "no reply to qmp_capabilities from " + peer + " within " +
                              seconds_text(opts.handshake_timeout));
    } else if (!failure) {
      fail(errc::session_closed, "capabilities negotiation ended: " + reply.diagnostics.describe(ec));
    }
    co_return failure ? failure : ec;
  }
  oob = want_oob;
  log->debug("qmp: connected to {}: QEMU {} ({}), oob {}", peer, greeting.version(), greeting.package,
             oob ? "on" : "off");
  co_return error_code{};
}

void SessionCore::start_reading() {
  socket->async_read_some(asio::buffer(read_buf_),
                          [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void SessionCore::on_read(error_code ec, std::size_t n) {
  if (phase == Phase::closed) return;
  if (ec) {
    if (ec == asio::error::eof) {
      fail(errc::connection_lost, "connection to " + peer + " lost: the monitor closed it (EOF)");
    } else {
      fail(errc::connection_lost, "connection to " + peer + " lost: " + ec.message());
    }
    return;
  }
  stats.bytes_in += n;
  framer_.feed(std::string_view(read_buf_.data(), n));
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
    handle_line(line);
    if (phase == Phase::closed) return;
  }
  start_reading();
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

void SessionCore::handle_line(std::string_view line) {
  const std::uint64_t seq = ++seq_;
  const auto now = Clock::now();
  ++stats.messages_in;
  observe(Direction::from_qemu, seq, now, line);
  Decoded d = decode_line(line, seq, now);
  if (d.error) {
    const errc code = d.error->reason == DecodeError::Reason::malformed_json ? errc::malformed_json
                                                                               : errc::protocol_error;
    fail(code, "message #" + std::to_string(seq) + " from " + peer + ": " + d.error->what);
    return;
  }
  Message& m = *d.message;
  if (!greeted) {
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
      dispatcher.dispatch(m);
      return;
    case MessageKind::reply:
    case MessageKind::error_reply:
      handle_reply(std::move(m));
      return;
    case MessageKind::greeting:
      log->warn("qmp: ignored a second greeting from {}", peer);
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
  Reply r;
  error_code ec;
  if (m.kind() == MessageKind::error_reply) {
    r.diagnostics.qmp_class = std::string(m.error_class());
    r.diagnostics.desc = std::string(m.error_desc());
    ec = make_error_code(errc_from_class(r.diagnostics.qmp_class));
  }
  r.message = std::move(m);
  complete(*op, ec, std::move(r));
}

void SessionCore::execute(asio::any_completion_handler<ExecuteSignature> h, std::string name, std::string args,
                          CommandOptions options) {
  auto refuse = [&](error_code code, std::string desc) {
    Reply r;
    r.diagnostics.desc = std::move(desc);
    post_completion(ex, std::move(h), code, std::move(r));
  };
  if (phase == Phase::closed || !socket) {
    const error_code code = failure ? failure : make_error_code(errc::session_closed);
    refuse(code, "'" + name + "' not sent: " + (failure_diag.desc.empty() ? "the session is not open" : failure_diag.desc));
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
  op->timer.expires_after(op->timeout);
  op->timer.async_wait([w = weak_from_this(), id](error_code ec) {
    if (ec) return;
    if (auto self = w.lock()) self->give_up(id, make_error_code(errc::timeout), false);
  });
  op->slot = asio::get_associated_cancellation_slot(op->handler);
  if (op->slot.is_connected()) {
    op->slot.assign([w = weak_from_this(), id](asio::cancellation_type) {
      if (auto self = w.lock()) self->give_up(id, asio::error::operation_aborted, true);
    });
  }
  write_queue_.push_back(Outgoing{encode_command(name, args, id, options.oob), std::move(options.fds), id});
  write_next();
}

void SessionCore::give_up(std::uint64_t id, error_code ec, bool from_slot) {
  auto op = pending_.abandon(id);
  if (!op) return;
  Reply r;
  if (ec == errc::timeout) {
    r.diagnostics.desc = "no reply to '" + (*op)->name + "' from " + peer + " within " + seconds_text((*op)->timeout);
  } else {
    r.diagnostics.desc = "'" + (*op)->name + "' cancelled by the caller";
  }
  complete(*op, ec, std::move(r), from_slot);
}

void SessionCore::complete(const std::shared_ptr<CommandOp>& op, error_code ec, Reply reply, bool from_slot) {
  op->timer.cancel();
  if (!from_slot && op->slot.is_connected()) op->slot.clear();
  post_completion(ex, std::move(op->handler), ec, std::move(reply));
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
    send_with_fds(std::move(fds), 0);
    return;
  }
  asio::async_write(*socket, asio::buffer(write_buf_),
                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_written(ec); });
}

void SessionCore::send_with_fds(std::vector<int> fds, std::size_t) {
  socket->async_wait(socket_type::wait_write, [self = shared_from_this(), fds = std::move(fds)](error_code ec) {
    if (ec) return self->on_written(ec);
    msghdr msg{};
    iovec iov{self->write_buf_.data(), self->write_buf_.size()};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cm), fds.data(), sizeof(int) * fds.size());
    const ssize_t n = ::sendmsg(self->socket->native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return self->send_with_fds(fds, 0);
      return self->on_written(error_code(errno, boost::system::system_category()));
    }
    // The descriptors travelled with the first byte; the rest is plain data.
    const auto sent = static_cast<std::size_t>(n);
    if (sent == self->write_buf_.size()) return self->on_written({});
    asio::async_write(*self->socket, asio::buffer(self->write_buf_.data() + sent, self->write_buf_.size() - sent),
                      [self](error_code wec, std::size_t) { self->on_written(wec); });
  });
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
  const bool by_owner = code == errc::session_closed;
  if (by_owner) {
    log->debug("qmp: {}", desc);
  } else if (code == errc::connection_lost && shutdown) {
    log->debug("qmp: {} after SHUTDOWN", desc);
  } else {
    log->error("qmp: {}", desc);
  }
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
