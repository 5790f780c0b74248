// qmpc exec COMMAND [KEY=VALUE ... | JSON-OBJECT]: one command, its "return" value as JSON on stdout.
#include "commands.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace qmpc {

namespace asio = boost::asio;

asio::awaitable<int> run_exec(const Runtime& rt) {
  const auto& opt = rt.line.exec;
  qmp::Session session(co_await asio::this_coro::executor, rt.session_options());
  if (int rc = co_await connect_session(session, rt)) co_return rc;
  auto [ec, reply] =
      co_await session.async_execute(opt.command, opt.arguments_json, asio::as_tuple(asio::use_awaitable));
  if (ec && opt.command == "quit" && qmp::kind_of(ec) == qmp::error_kind::transport && session.shutdown_event()) {
    // QEMU quit as asked (SHUTDOWN arrived) and closed the monitor before its {} reply could be read.
    print_json_line("{}");
    co_return 0;
  }
  if (ec) co_return report_error(ec, reply.diagnostics, opt.command);
  print_json_line(opt.pretty ? qmp::json::to_pretty_string(reply.value()) : qmp::json::to_string(reply.value()));
  co_return 0;
}

}  // namespace qmpc
