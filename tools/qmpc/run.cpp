// qmpc run [FILE|-]: a script of commands and event waits on one connection (script/step_parser.hpp), one JSON
// line per step on stdout (script/script_run.hpp).
//
// Every event read since the session started goes to one subscription, opened before connecting, and from there
// to the backlog, so a wait-event step finds an event that arrived before the reply of the command that caused
// it, or while an earlier step ran.
#include "commands.hpp"

#include "command_check.hpp"
#include "cli/error_line.hpp"
#include "input_text.hpp"
#include "script/event_backlog.hpp"
#include "script/script_run.hpp"
#include "script/step_parser.hpp"

#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <sstream>

namespace qmpc {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxScriptBytes = 64u << 20;

// The class shown in a step's error for failures that are not QEMU's.
std::string failure_class(const qmp::error_code& ec, const qmp::Diagnostics& diag) {
  if (diag.from_qemu()) return diag.qmp_class;
  switch (qmp::kind_of(ec)) {
    case qmp::error_kind::timeout: return "Timeout";
    case qmp::error_kind::transport: return "ConnectionLost";
    case qmp::error_kind::protocol: return "ProtocolError";
    case qmp::error_kind::cancelled: return "Interrupted";
    case qmp::error_kind::subscription: return "EventsLost";
    default: return "Failed";
  }
}

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

class Runner {
 public:
  Runner(const Runtime& rt, qmp::Session& session, qmp::Subscription& events, script::ScriptRun& run)
      : rt_(rt), session_(session), events_(events), run_(run), check_(rt, session, !rt.line.run.no_validate) {}

  asio::awaitable<void> command(const script::CommandStep& step) {
    const std::string doing = "step " + std::to_string(run_.step_number()) + " (" + step.name + ")";
    if (auto refused = co_await check_.check(step)) {
      fail(refused->ec, refused->diag, doing, refused->hint, refused->error_class);
      co_return;
    }
    qmp::CommandOptions options;
    options.oob = step.oob;
    auto [ec, reply] = co_await session_.async_execute(step.name, step.arguments_json, options,
                                                       asio::as_tuple(asio::use_awaitable));
    if (ec && step.name == "quit" && qmp::kind_of(ec) == qmp::error_kind::transport && session_.shutdown_event()) {
      // QEMU quit as asked and closed the monitor before its {} reply could be read.
      qmp::json::Document empty(rapidjson::kObjectType);
      print_json_line(run_.returned(empty));
      co_return;
    }
    if (!ec) {
      print_json_line(run_.returned(reply.value()));
      co_return;
    }
    fail(ec, reply.diagnostics, doing, {});
  }

  asio::awaitable<void> wait(const script::WaitStep& step) {
    const qmp::EventMatch match({step.pattern}, step.conditions);
    const double for_s = step.for_s ? *step.for_s : rt_.line.global.timeout_s;
    const auto deadline = qmp::Clock::now() + seconds(for_s);
    const std::string doing = "step " + std::to_string(run_.step_number()) + " (wait-event " + step.pattern + ")";
    while (true) {
      while (auto event = events_.try_next()) backlog_.add(std::move(*event));
      if (auto found = backlog_.take(match)) {
        print_json_line(run_.event_taken(*found));
        co_return;
      }
      const auto now = qmp::Clock::now();
      if (now >= deadline) {
        qmp::Diagnostics diag;
        diag.what = "no " + match.describe() + " event within " + seconds_text(for_s) + " s";
        fail(qmp::make_error_code(qmp::errc::timeout), diag, doing,
             "check that an earlier step causes it, or give the wait more time (--for SEC)");
        co_return;
      }
      auto [ec, event] = co_await events_.async_next(deadline - now, asio::as_tuple(asio::use_awaitable));
      if (!ec) {
        backlog_.add(std::move(event));
        continue;
      }
      if (ec == qmp::errc::timeout) continue;
      const auto why = session_.failure() ? session_.failure() : ec;
      fail(why, session_.failure() ? session_.failure_diagnostics() : qmp::Diagnostics{}, doing, {});
      co_return;
    }
  }

 private:
  // The step's error line on stdout (with `error_class`, when given, as its class), then the usual error line on
  // stderr.
  void fail(const qmp::error_code& ec, const qmp::Diagnostics& diag, const std::string& doing, std::string_view hint,
            const std::string& error_class = {}) {
    const int code = cli::to_int(cli::exit_code_for(ec));
    const std::string desc = diag.from_qemu() ? diag.qmp_desc : diag.what.empty() ? diag.describe(ec) : diag.what;
    print_json_line(run_.failed(error_class.empty() ? failure_class(ec, diag) : error_class, desc, code));
    if (qmp::kind_of(ec) == qmp::error_kind::cancelled) return;  // ^C: the exit code says it
    const std::string line = cli::error_line(ec, diag, doing, hint);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }

  const Runtime& rt_;
  qmp::Session& session_;
  qmp::Subscription& events_;
  script::ScriptRun& run_;
  script::EventBacklog backlog_;
  CommandCheck check_;
};

}  // namespace

asio::awaitable<int> run_script(const Runtime& rt) {
  const auto& opt = rt.line.run;
  std::string error;
  auto text = read_input(opt.file, kMaxScriptBytes, &error);
  if (!text) {
    std::fprintf(stderr, "qmpc run: %s\n", qmp::printable(error).c_str());
    co_return cli::to_int(cli::ExitCode::failed);
  }
  auto parsed = script::parse_script(*text);
  if (!parsed.ok()) {
    const std::string where = opt.file == "-" ? std::string("standard input") : opt.file;
    std::fprintf(stderr, "qmpc run: %s, %s; nothing was sent\n", qmp::printable(where).c_str(),
                 qmp::printable(parsed.error).c_str());
    co_return cli::to_int(cli::ExitCode::usage);
  }
  bool oob = false;
  for (const auto& step : parsed.steps)
    if (const auto* c = std::get_if<script::CommandStep>(&step.action)) oob = oob || c->oob;

  auto options = rt.session_options();
  options.enable_oob = oob;
  qmp::Session session(co_await asio::this_coro::executor, options);
  // Before connecting: no event between the negotiation and the first wait is missed.
  auto events = session.subscribe({}, {.capacity = 1u << 16, .policy = qmp::OverflowPolicy::drop_oldest});
  if (int rc = co_await connect_session(session, rt)) co_return rc;

  script::ScriptRun run(std::move(parsed.steps), opt.keep_going);
  Runner runner(rt, session, events, run);
  while (const script::Step* step = run.next()) {
    if (const auto* c = std::get_if<script::CommandStep>(&step->action))
      co_await runner.command(*c);
    else
      co_await runner.wait(std::get<script::WaitStep>(step->action));
  }
  co_return run.exit_code();
}

}  // namespace qmpc
