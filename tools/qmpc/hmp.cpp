// qmpc hmp 'COMMAND LINE': an HMP command through human-monitor-command, its text printed as text.
#include "commands.hpp"

#include "cli/hmp_output.hpp"

#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>

namespace qmpc {

namespace asio = boost::asio;

asio::awaitable<int> run_hmp(const Runtime& rt) {
  const auto& opt = rt.line.hmp;
  qmp::Session session(co_await asio::this_coro::executor, rt.session_options());
  if (int rc = co_await connect_session(session, rt)) co_return rc;
  const std::string arguments = qmp::json::Object().add("command-line", opt.command_line).str();
  auto [ec, reply] = co_await session.async_execute("human-monitor-command", arguments,
                                                    asio::as_tuple(asio::use_awaitable));
  if (ec) co_return report_error(ec, reply.diagnostics, "human-monitor-command");
  const auto& value = reply.value();
  const auto output = cli::read_hmp_output(value.IsString() ? qmp::json::view(value) : std::string_view());
  if (output.error) {
    // The whole text goes to stderr: stdout carries only what a command that worked printed.
    std::fflush(stdout);
    for (std::size_t i = 0; i < output.lines.size(); ++i) {
      const std::string line = (i == 0 ? "qmpc: hmp: " : "") + qmp::printable(output.lines[i]) + "\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
    std::fflush(stderr);
    co_return cli::to_int(cli::ExitCode::failed);
  }
  for (const auto& line : output.lines) print_line(line);
  co_return 0;
}

}  // namespace qmpc
