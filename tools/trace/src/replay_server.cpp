#include "trace/replay_server.hpp"

#include "qmp/line_framer.hpp"
#include "qmp/socket_path.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cstring>

namespace trace {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct ReplayServer::State {
  State(asio::any_io_executor ex, qmp::Transcript t, ReplayOptions o)
      : acceptor(ex), client(ex), timer(ex), script(std::move(t), o.ignored_arguments), options(o) {}

  stream::acceptor acceptor;
  stream::socket client;
  asio::steady_timer timer;
  ReplayScript script;
  ReplayOptions options;
  qmp::OwnedSocketFile socket_file;

  ReplayResult result() const {
    return {script.commands_matched(), script.commands_recorded(), script.finished(), script.divergences(),
            script.report()};
  }

  // Writes `out` in order, waiting the recorded gaps when paced.
  asio::awaitable<qmp::error_code> send(const std::vector<ReplayOutput>& out) {
    for (const ReplayOutput& o : out) {
      if (options.paced && o.delay.count() > 0) {
        timer.expires_after(o.delay);
        auto [ec] = co_await timer.async_wait(tuple_awaitable);
        if (ec) co_return ec;
      }
      const std::string line = o.line + "\r\n";
      auto [ec, n] = co_await asio::async_write(client, asio::buffer(line), tuple_awaitable);
      (void)n;
      if (ec) co_return ec;
    }
    co_return qmp::error_code{};
  }

  asio::awaitable<qmp::error_code> serve() {
    {
      auto [ec, sock] = co_await acceptor.async_accept(tuple_awaitable);
      if (ec) co_return ec;
      client = std::move(sock);
    }
    if (auto ec = co_await send(script.on_connect())) co_return ec;
    qmp::LineFramer framer(options.max_line);
    std::array<char, 4096> buf;
    for (;;) {
      auto [ec, n] = co_await client.async_read_some(asio::buffer(buf), tuple_awaitable);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) co_return qmp::error_code{};
      if (ec) co_return ec;
      framer.feed(std::string_view(buf.data(), n));
      for (;;) {
        std::string_view line;
        const auto status = framer.next(line);
        if (status == qmp::LineFramer::Status::need_more) break;
        if (status == qmp::LineFramer::Status::too_large) co_return qmp::errc::message_too_large;
        const auto out = script.on_client_line(std::string(line));
        if (auto wec = co_await send(out)) co_return wec;
      }
    }
  }
};

ReplayServer::ReplayServer(asio::any_io_executor ex, qmp::Transcript transcript, ReplayOptions options)
    : state_(std::make_shared<State>(std::move(ex), std::move(transcript), options)) {}

ReplayServer::~ReplayServer() { close(); }

bool ReplayServer::listen(const std::string& path, qmp::error_code& ec, qmp::Diagnostics& diag) {
  if (!qmp::claim_socket_path(path, ec, diag)) return false;
  boost::system::error_code bec;
  state_->acceptor.open(stream(), bec);
  if (!bec) state_->acceptor.bind(stream::endpoint(path), bec);
  if (!bec) state_->socket_file = qmp::OwnedSocketFile(path);
  if (!bec) state_->acceptor.listen(1, bec);
  if (bec) {
    ec = bec;
    diag.what = "cannot listen on '" + path + "': " + bec.message();
    state_->acceptor.close(bec);
    state_->socket_file.remove();
    return false;
  }
  return true;
}

void ReplayServer::async_serve_one(Handler done) {
  auto s = state_;
  asio::co_spawn(
      s->acceptor.get_executor(),
      [s]() -> asio::awaitable<qmp::error_code> { co_return co_await s->serve(); },
      [s, done = std::move(done)](std::exception_ptr e, qmp::error_code ec) {
        boost::system::error_code ignored;
        s->client.close(ignored);
        if (e && !ec) ec = qmp::errc::protocol_error;
        done(ec, s->result());
      });
}

void ReplayServer::close() {
  if (!state_) return;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  state_->client.close(ignored);
  state_->timer.cancel();
  state_->socket_file.remove();
}

}  // namespace trace
