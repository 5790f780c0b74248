// qmpc exec COMMAND [KEY=VALUE ... | JSON-OBJECT], qmpc exec '{"execute": ...}', qmpc exec -: one command, its
// "return" value (or with --full the whole reply) as JSON on stdout; with --wait-event, then the first matching
// event the command caused.
#include "commands.hpp"

#include "command_check.hpp"
#include "input_text.hpp"
#include "script/step_parser.hpp"

#include "qmp/event_match.hpp"
#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <sstream>

namespace qmpc {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxCommandBytes = 16u << 20;

// The command `qmpc exec -` reads: one raw object on standard input. Nullopt after printing why not.
std::optional<script::CommandStep> command_from_stdin() {
  std::string error;
  auto text = read_input("-", kMaxCommandBytes, &error);
  if (!text) {
    std::fprintf(stderr, "qmpc exec: %s\n", qmp::printable(error).c_str());
    return std::nullopt;
  }
  auto command = script::parse_command_object(*text, &error);
  if (!command) {
    std::fprintf(stderr, "qmpc exec: standard input: %s; see 'qmpc exec --help'\n", qmp::printable(error).c_str());
    return std::nullopt;
  }
  return command;
}

void print_reply(const cli::ExecOptions& opt, const qmp::Reply& reply) {
  const auto& v = opt.full ? reply.message.json() : reply.value();
  print_json_line(opt.pretty ? qmp::json::to_pretty_string(v) : qmp::json::to_string(v));
}

}  // namespace

asio::awaitable<int> run_exec(const Runtime& rt) {
  const auto& opt = rt.line.exec;
  script::CommandStep command{opt.command, opt.arguments_json, opt.oob};
  if (opt.from_stdin) {
    auto read = command_from_stdin();
    if (!read) co_return cli::to_int(cli::ExitCode::usage);
    command = std::move(*read);
  }
  auto options = rt.session_options();
  options.enable_oob = command.oob;
  qmp::Session session(co_await asio::this_coro::executor, options);
  if (int rc = co_await connect_session(session, rt)) co_return rc;

  // Checked before the subscription: an event that comes while the schema is asked for is not the command's.
  CommandCheck check(rt, session, !opt.no_validate);
  if (auto refused = co_await check.check(command)) {
    if (qmp::kind_of(refused->ec) == qmp::error_kind::cancelled) co_return cli::to_int(cli::ExitCode::interrupted);
    co_return report_error(refused->ec, refused->diag, command.name, refused->hint);
  }

  // Subscribed before the command is written: an event QEMU sends before the reply is kept.
  const qmp::EventMatch match = opt.wait_event.empty() ? qmp::EventMatch()
                                                       : qmp::EventMatch({opt.wait_event}, opt.match);
  qmp::Subscription waiter;
  if (!opt.wait_event.empty()) waiter = session.subscribe(match.filter());

  qmp::CommandOptions command_options;
  command_options.oob = command.oob;
  auto [ec, reply] = co_await session.async_execute(command.name, command.arguments_json, command_options,
                                                    asio::as_tuple(asio::use_awaitable));
  if (ec && command.name == "quit" && qmp::kind_of(ec) == qmp::error_kind::transport && session.shutdown_event()) {
    // QEMU quit as asked (SHUTDOWN arrived) and closed the monitor before its {} reply could be read.
    print_json_line("{}");
    co_return 0;
  }
  if (qmp::kind_of(ec) == qmp::error_kind::cancelled) co_return cli::to_int(cli::ExitCode::interrupted);  // ^C
  if (ec) {
    if (opt.full && reply.message.valid()) print_reply(opt, reply);
    co_return report_error(ec, reply.diagnostics, command.name);
  }
  print_reply(opt, reply);
  if (opt.wait_event.empty()) co_return 0;

  const double wait_for = opt.wait_for_s ? *opt.wait_for_s : rt.line.global.timeout_s;
  auto [wec, event] = co_await waiter.async_next(seconds(wait_for), asio::as_tuple(asio::use_awaitable));
  if (!wec) {
    print_json_line(event.text());
    co_return 0;
  }
  if (qmp::kind_of(wec) == qmp::error_kind::cancelled) co_return cli::to_int(cli::ExitCode::interrupted);
  qmp::Diagnostics diag;
  if (wec == qmp::errc::timeout) {
    std::ostringstream s;
    s << "no " << match.describe() << " event within " << wait_for << " s";
    diag.what = s.str();
    co_return report_error(wec, diag, "--wait-event",
                           "check that the command causes that event, or give it more time (--wait-for SEC)");
  }
  const auto why = session.failure() ? session.failure() : wec;
  co_return report_error(why, session.failure() ? session.failure_diagnostics() : diag, "waiting for the event");
}

}  // namespace qmpc
