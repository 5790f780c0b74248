// qmpc proxy --listen PATH...: shares QEMU's QMP monitor among several clients (see proxy_server.hpp and
// qmp/proxy_router.hpp).
#include "commands.hpp"
#include "proxy_server.hpp"

#include <boost/asio/this_coro.hpp>

namespace qmpc {

namespace asio = boost::asio;

asio::awaitable<int> run_proxy(const Runtime& rt) {
  const auto& g = rt.line.global;
  ProxyServerOptions opts;
  opts.upstream = g.socket;
  opts.listen = rt.line.proxy.listen;
  opts.connect_timeout = seconds(g.connect_timeout_s);
  opts.handshake_timeout = std::max(seconds(g.connect_timeout_s), seconds(1));
  opts.router.client_queue_bytes = rt.line.proxy.client_queue;
  opts.logger = rt.logger;
  opts.transcript = rt.transcript;
  auto server = std::make_shared<ProxyServer>(co_await asio::this_coro::executor, std::move(opts));
  qmp::Diagnostics diag;
  const auto ec = co_await server->run(diag);
  if (!ec) co_return 0;
  co_return report_error(ec, diag, "proxy");
}

}  // namespace qmpc
