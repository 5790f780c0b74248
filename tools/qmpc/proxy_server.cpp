#include "proxy_server.hpp"

#include "qmp/address.hpp"
#include "qmp/fd_passing.hpp"
#include "qmp/socket_path.hpp"
#include "qmp/stream_connect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <tuple>

namespace qmpc {

namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64 * 1024;

std::string seconds_of(qmp::Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0).substr(0, 5) + " s";
}

// The router's options, recording QEMU's wire in `opts.transcript` when there is one.
qmp::ProxyRouterOptions router_options(const ProxyServerOptions& opts) {
  qmp::ProxyRouterOptions o = opts.router;
  if (auto writer = opts.transcript) {
    o.upstream_traffic = [writer, seq = std::uint64_t{0}](qmp::Direction d, std::optional<std::uint64_t> client,
                                                          std::string_view line) mutable {
      writer->record(d, ++seq, qmp::Clock::now(), line, client);
    };
  }
  return o;
}

}  // namespace

ProxyServer::ProxyServer(asio::any_io_executor ex, ProxyServerOptions opts)
    : ex_(ex), opts_(std::move(opts)), router_(router_options(opts_)), log_(opts_.logger), wake_(ex) {}

asio::awaitable<qmp::error_code> ProxyServer::connect_upstream(qmp::Diagnostics& diag) {
  std::string why;
  const auto addr = qmp::Address::parse(opts_.upstream, &why);
  if (!addr) {
    diag.what = why;
    co_return qmp::errc::invalid_argument;
  }
  auto [ec, conn] = co_await qmp::async_connect_stream(ex_, *addr, opts_.connect_timeout, use_tuple);
  if (ec) {
    diag = std::move(conn.diagnostics);
    co_return ec;
  }
  upstream_.emplace(std::move(*conn.socket));
  co_return qmp::error_code{};
}

void ProxyServer::dispatch() {
  using Kind = qmp::ProxyRouter::Action::Kind;
  for (auto actions = router_.take_actions(); !actions.empty(); actions = router_.take_actions()) {
    for (auto& a : actions) {
      switch (a.kind) {
        case Kind::write_upstream:
          if (!upstream_writing_ && upstream_) {
            upstream_writing_ = true;
            asio::co_spawn(ex_, [self = shared_from_this()] { return self->write_upstream(); }, asio::detached);
          }
          break;
        case Kind::write_client:
          if (auto it = conns_.find(a.client); it != conns_.end() && !it->second->writing) {
            it->second->writing = true;
            asio::co_spawn(ex_, [self = shared_from_this(), c = it->second] { return self->write_client(c); },
                           asio::detached);
          }
          break;
        case Kind::close_client:
          log_->warn("proxy: {}; disconnected", a.reason);
          if (auto it = conns_.find(a.client); it != conns_.end()) close_conn(it->second);
          break;
        case Kind::resume_client:
          if (auto it = conns_.find(a.client); it != conns_.end()) it->second->resume.cancel();
          break;
        case Kind::open: wake_.cancel(); break;
        case Kind::close_all:
          close_reason_ = a.reason;
          wake_.cancel();
          break;
        case Kind::note: log_->debug("proxy: {}", a.reason); break;
      }
    }
  }
}

void ProxyServer::close_conn(std::shared_ptr<Conn> c) {
  if (c->closed) return;
  c->closed = true;
  qmp::error_code ignored;
  c->socket.shutdown(socket_type::shutdown_both, ignored);
  c->socket.close(ignored);
  c->resume.cancel();
  conns_.erase(c->id);
  router_.client_closed(c->id);
  if (router_.closed() && conns_.empty()) wake_.cancel();
}

asio::awaitable<void> ProxyServer::read_upstream() {
  std::array<char, kReadChunk> buf;
  for (;;) {
    auto [ec, n] = co_await upstream_->async_read_some(asio::buffer(buf), use_tuple);
    if (router_.closed()) co_return;
    if (ec) {
      router_.upstream_closed(ec == asio::error::eof ? "QEMU closed the monitor connection"
                                                     : "reading from QEMU failed: " + ec.message());
      dispatch();
      co_return;
    }
    router_.upstream_bytes(std::string_view(buf.data(), n));
    dispatch();
  }
}

asio::awaitable<void> ProxyServer::write_upstream() {
  for (auto out = router_.take_upstream_output(); !out.empty(); out = router_.take_upstream_output()) {
    qmp::error_code ec;
    if (out.fds.empty()) {
      std::tie(ec, std::ignore) = co_await asio::async_write(*upstream_, asio::buffer(out.bytes), use_tuple);
    } else {
      std::vector<int> fds;
      for (const auto& fd : out.fds) fds.push_back(fd.get());
      std::tie(ec) = co_await qmp::async_write_with_fds(*upstream_, out.bytes, std::move(fds), use_tuple);
    }
    if (ec) {
      router_.upstream_closed("writing to QEMU failed: " + ec.message());
      break;
    }
  }  // QEMU has its own copies of the descriptors now: ours are closed
  upstream_writing_ = false;
  dispatch();
}

asio::awaitable<void> ProxyServer::accept_clients(std::shared_ptr<asio::local::stream_protocol::acceptor> acceptor,
                                                  std::string path) {
  asio::steady_timer backoff(ex_);
  for (;;) {
    auto [ec, s] = co_await acceptor->async_accept(use_tuple);
    if (router_.closed() || ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) {
      log_->warn("proxy: accepting on {} failed: {}", path, ec.message());  // e.g. out of file descriptors
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    socket_type sock(ex_, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), s.release());
    auto c = std::make_shared<Conn>(std::move(sock), ex_);
    c->id = router_.add_client();
    if (!router_.has_client(c->id)) {
      dispatch();
      continue;
    }
    conns_[c->id] = c;
    log_->info("proxy: client {} connected on {}", c->id, path);
    asio::co_spawn(ex_, [self = shared_from_this(), c] { return self->read_client(c); }, asio::detached);
    dispatch();
  }
}

asio::awaitable<void> ProxyServer::read_client(std::shared_ptr<Conn> c) {
  std::array<char, kReadChunk> buf;
  while (!c->closed) {
    if (!router_.may_read(c->id)) {
      if (!router_.has_client(c->id) || router_.closed()) co_return;
      c->resume.expires_at(asio::steady_timer::time_point::max());
      co_await c->resume.async_wait(use_tuple);
      continue;
    }
    // recvmsg rather than read: descriptors passed with SCM_RIGHTS come with the bytes.
    auto [wec] = co_await c->socket.async_wait(socket_type::wait_read, use_tuple);
    if (c->closed) co_return;
    auto got = wec ? qmp::ReceivedBytes{-1, wec.value(), {}, false}
                   : qmp::receive_with_fds(c->socket.native_handle(), std::span<char>(buf));
    if (got.size < 0 && (got.error == EAGAIN || got.error == EWOULDBLOCK)) continue;
    if (got.size <= 0) {
      log_->info("proxy: client {} left ({})", c->id,
                 got.size == 0 ? "end of file" : wec ? wec.message() : std::strerror(got.error));
      close_conn(c);
      dispatch();
      co_return;
    }
    if (got.fds_truncated) {
      log_->warn("proxy: client {} passed more than {} file descriptors with one message; disconnected", c->id,
                 qmp::kMaxPassedFds);
      close_conn(c);
      dispatch();
      co_return;
    }
    router_.client_bytes(c->id, std::string_view(buf.data(), static_cast<std::size_t>(got.size)),
                         std::move(got.fds));
    dispatch();
  }
}

asio::awaitable<void> ProxyServer::write_client(std::shared_ptr<Conn> c) {
  for (std::string out = router_.take_client_output(c->id); !out.empty() && !c->closed;
       out = router_.take_client_output(c->id)) {
    auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(out), use_tuple);
    if (c->closed) co_return;
    if (ec) {
      log_->info("proxy: client {} left ({})", c->id, ec.message());
      close_conn(c);
      dispatch();
      co_return;
    }
    router_.client_output_written(c->id);
  }
  c->writing = false;
  if (router_.closed()) close_conn(c);  // everything it was due is written: now it sees EOF
  dispatch();
}

asio::awaitable<qmp::error_code> ProxyServer::run(qmp::Diagnostics& diag) {
  if (auto ec = co_await connect_upstream(diag)) co_return ec;
  asio::co_spawn(ex_, [self = shared_from_this()] { return self->read_upstream(); }, asio::detached);

  // Greeting and negotiation with QEMU.
  wake_.expires_after(opts_.handshake_timeout);
  co_await wake_.async_wait(use_tuple);
  if (!router_.open()) {
    qmp::error_code ignored;
    upstream_->close(ignored);
    if (!router_.closed()) {
      diag.what = "no QMP greeting and negotiation from " + opts_.upstream + " within " +
                  seconds_of(opts_.handshake_timeout) +
                  " (is it a QMP monitor? QEMU greets a second client only after the first leaves)";
      co_return qmp::errc::timeout;
    }
    diag.what = close_reason_ + " (" + opts_.upstream + ")";
    co_return qmp::errc::connection_lost;
  }

  // Listening sockets: removed on every way out.
  std::vector<qmp::OwnedSocketFile> files;
  std::vector<std::shared_ptr<asio::local::stream_protocol::acceptor>> acceptors;
  for (const auto& path : opts_.listen) {
    qmp::error_code ec;
    if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      diag.what = "cannot listen on '" + path + "': the path is too long for a UNIX socket";
      co_return qmp::errc::invalid_argument;
    }
    if (!qmp::claim_socket_path(path, ec, diag)) co_return ec;
    auto acceptor = std::make_shared<asio::local::stream_protocol::acceptor>(ex_);
    acceptor->open(asio::local::stream_protocol(), ec);
    const mode_t old_mask = ::umask(0177);  // the socket file is created 0600
    if (!ec) acceptor->bind(asio::local::stream_protocol::endpoint(path), ec);
    ::umask(old_mask);
    if (!ec) files.emplace_back(path);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      diag.what = "cannot listen on '" + path + "': " + ec.message();
      co_return qmp::errc::invalid_argument;
    }
    acceptors.push_back(acceptor);
    asio::co_spawn(ex_, [self = shared_from_this(), acceptor, path] { return self->accept_clients(acceptor, path); },
                   asio::detached);
  }
  log_->info("proxy: QEMU {} on {}; clients on {}", router_.qemu_version(), opts_.upstream, opts_.listen.front());
  if (opts_.on_listening) opts_.on_listening();

  // Serve until QEMU goes away.
  while (!router_.closed()) {
    wake_.expires_at(asio::steady_timer::time_point::max());
    co_await wake_.async_wait(use_tuple);
  }
  log_->info("proxy: {}; closing {} client(s)", close_reason_, conns_.size());
  for (auto& a : acceptors) {
    qmp::error_code ignored;
    a->close(ignored);
  }
  files.clear();
  // Each client gets what it was due, then EOF; one that does not read gets no more than close_grace.
  for (auto it = conns_.begin(); it != conns_.end();) {
    auto c = (it++)->second;
    if (!c->writing) close_conn(c);
  }
  if (!conns_.empty()) {
    wake_.expires_after(opts_.close_grace);
    co_await wake_.async_wait(use_tuple);
    while (!conns_.empty()) close_conn(conns_.begin()->second);
  }
  qmp::error_code ignored;
  upstream_->close(ignored);
  if (router_.shutdown_seen()) co_return qmp::error_code{};
  diag.what = close_reason_ + " without a SHUTDOWN event (" + opts_.upstream + ")";
  co_return qmp::errc::connection_lost;
}

}  // namespace qmpc
