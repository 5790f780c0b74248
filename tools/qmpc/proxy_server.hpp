// The asio driver of qmp::ProxyRouter: one connection to QEMU, listening UNIX sockets, one connection per client.
// All on one executor, no mutexes; each socket has at most one read and one write in flight. The router decides,
// this only carries out its actions (write, close, resume reading) and feeds it what the sockets read.
#pragma once

#include "qmp/error.hpp"
#include "qmp/message.hpp"
#include "qmp/proxy_router.hpp"
#include "qmp/transcript_writer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace qmpc {

struct ProxyServerOptions {
  std::string upstream;                  // QEMU's monitor: PATH, unix:PATH or tcp:HOST:PORT
  std::vector<std::string> listen;       // UNIX socket paths for clients
  qmp::Clock::duration connect_timeout = std::chrono::seconds(10);
  qmp::Clock::duration handshake_timeout = std::chrono::seconds(10);
  qmp::Clock::duration close_grace = std::chrono::seconds(2);  // flushing clients once QEMU has gone
  qmp::ProxyRouterOptions router;
  std::shared_ptr<spdlog::logger> logger;
  // --trace: QEMU's wire (what the router writes and reads, its ids), each entry tagged with its client.
  std::shared_ptr<qmp::TranscriptWriter> transcript;
  // Called once every --listen socket is listening (clients may connect from then on).
  std::function<void()> on_listening;
};

class ProxyServer : public std::enable_shared_from_this<ProxyServer> {
 public:
  ProxyServer(boost::asio::any_io_executor ex, ProxyServerOptions opts);

  // Connects to QEMU, negotiates, listens, and serves until QEMU goes away. {} when QEMU closed the monitor after
  // SHUTDOWN; otherwise the error, explained in `diag`.
  boost::asio::awaitable<qmp::error_code> run(qmp::Diagnostics& diag);

 private:
  using socket_type = boost::asio::generic::stream_protocol::socket;
  struct Conn {
    qmp::ProxyRouter::ClientId id = 0;
    socket_type socket;
    boost::asio::steady_timer resume;  // a condition variable: cancelled when reading may go on
    bool writing = false;
    bool closed = false;
    Conn(socket_type s, boost::asio::any_io_executor ex) : socket(std::move(s)), resume(ex) {}
  };

  boost::asio::awaitable<qmp::error_code> connect_upstream(qmp::Diagnostics& diag);
  boost::asio::awaitable<void> read_upstream();
  boost::asio::awaitable<void> write_upstream();
  boost::asio::awaitable<void> accept_clients(std::shared_ptr<boost::asio::local::stream_protocol::acceptor> acceptor, std::string path);
  boost::asio::awaitable<void> read_client(std::shared_ptr<Conn> c);
  boost::asio::awaitable<void> write_client(std::shared_ptr<Conn> c);
  void dispatch();
  void close_conn(std::shared_ptr<Conn> c);  // by value: it erases the table entry a caller may pass

  boost::asio::any_io_executor ex_;
  ProxyServerOptions opts_;
  qmp::ProxyRouter router_;
  std::shared_ptr<spdlog::logger> log_;
  std::optional<socket_type> upstream_;
  bool upstream_writing_ = false;
  std::string close_reason_;
  boost::asio::steady_timer wake_;  // run() sleeps on it; cancelled when the router opens or closes
  std::map<qmp::ProxyRouter::ClientId, std::shared_ptr<Conn>> conns_;
};

}  // namespace qmpc
