// qmpc shell: lines typed (shell/shell_line.hpp) become QMP or HMP commands; results, errors and events are
// printed (shell/shell_output.hpp). On a terminal through libedit (shell_terminal.hpp), with Tab completion from
// the connected QEMU's schema (shell/completion.hpp) and history (shell/history_file.hpp); otherwise the lines of
// standard input, one JSON line out per command.
//
// One thread: the coroutine below reads and answers lines; another prints events as they come (on a terminal);
// a third takes the signals. While a command runs, Ctrl-C stops waiting for its reply (partial cancellation: the
// late reply is read and dropped); at the prompt it drops the line typed.
#include "commands.hpp"

#include "command_check.hpp"
#include "shell/history_file.hpp"
#include "shell/shell_line.hpp"
#include "shell/shell_output.hpp"
#include "shell_terminal.hpp"
#include "stdin_lines.hpp"

#include "cli/hmp_output.hpp"

#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <tuple>

#include <unistd.h>

namespace qmpc {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kEventBacklog = 4096;  // events waiting to be printed; beyond, the oldest are dropped

// One line on stdout, as given: the callers made it safe (shell/shell_output.hpp, qmp::printable).
void write_line(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

class ShellRun {
 public:
  ShellRun(const Runtime& rt, qmp::Session& session, CommandCheck& check, ShellTerminal* terminal)
      : rt_(rt),
        opt_(rt.line.shell),
        session_(session),
        check_(check),
        terminal_(terminal),
        reader_(opt_.hmp_mode),
        style_{opt_.pretty, terminal && shell::colour_wanted(::isatty(STDOUT_FILENO), std::getenv("NO_COLOR"))} {}

  // Answers one line; false when the shell is to end (exit, or the monitor is gone).
  asio::awaitable<bool> answer(std::string_view line) {
    auto request = reader_.read(line);
    if (std::holds_alternative<shell::ExitRequest>(request)) co_return false;
    if (const auto* e = std::get_if<shell::LineError>(&request)) {
      show_error("InvalidInput", e->message);
      failed_ = true;
    } else if (const auto* h = std::get_if<shell::HmpRequest>(&request)) {
      co_await run_hmp(h->command_line);
    } else if (const auto* c = std::get_if<script::CommandStep>(&request)) {
      co_await run_command(*c);
    }
    co_return !lost_;
  }

  std::string prompt() const {
    if (reader_.in_transaction()) return "...> ";
    return reader_.hmp_mode() ? "(hmp) " : "(qmp) ";
  }
  shell::LineContext context() const {
    if (reader_.hmp_mode()) return shell::LineContext::hmp;
    return reader_.in_transaction() ? shell::LineContext::transaction_action : shell::LineContext::command;
  }

  // Ctrl-C: true when it stopped a command's wait.
  bool interrupt() {
    if (!waiting_) return false;
    waiting_->emit(asio::cancellation_type::partial);
    return true;
  }
  bool failed() const noexcept { return failed_; }
  bool lost() const noexcept { return lost_; }
  bool quit() const noexcept { return quit_; }
  shell::OutputStyle style() const noexcept { return style_; }

 private:
  asio::awaitable<void> run_command(const script::CommandStep& command) {
    if (auto refused = co_await check_.check(command)) {
      if (refused->error_class == "ValidationError")
        show_error("ValidationError", refused->diag.what + " (nothing was sent; --no-validate sends it unchecked)");
      else
        fail_on(refused->ec, refused->diag, command.name);
      failed_ = true;
      co_return;
    }
    auto [ec, reply] = co_await execute(command);
    if (ec && command.name == "quit" && qmp::kind_of(ec) == qmp::error_kind::transport && session_.shutdown_event()) {
      // QEMU quit as asked and closed the monitor before its {} reply could be read.
      show("{}");
      quit_ = true;
      lost_ = true;
      co_return;
    }
    if (!ec) {
      show(shell::format_value(reply.value(), style_));
      if (command.name == "quit") quit_ = true;
      co_return;
    }
    failed_ = true;
    fail_on(ec, reply.diagnostics, command.name);
  }

  // Sends `command` (echoed with -v) and waits for its reply; Ctrl-C (interrupt()) stops the wait.
  asio::awaitable<std::tuple<qmp::error_code, qmp::Reply>> execute(const script::CommandStep& command) {
    if (opt_.verbose) echo(command);
    qmp::CommandOptions options;
    options.oob = command.oob;
    asio::cancellation_signal stop;
    waiting_ = &stop;
    auto result =
        co_await session_.async_execute(command.name, command.arguments_json, options,
                                        asio::bind_cancellation_slot(stop.slot(), asio::as_tuple(asio::use_awaitable)));
    waiting_ = nullptr;
    co_return result;
  }

  asio::awaitable<void> run_hmp(const std::string& command_line) {
    const std::string arguments = qmp::json::Object().add("command-line", command_line).str();
    const script::CommandStep command{"human-monitor-command", arguments, false};
    auto [ec, reply] = co_await execute(command);
    if (ec) {
      failed_ = true;
      fail_on(ec, reply.diagnostics, command.name);
      co_return;
    }
    const auto& value = reply.value();
    const auto output = cli::read_hmp_output(value.IsString() ? qmp::json::view(value) : std::string_view());
    if (output.error) failed_ = true;
    if (!terminal_) {
      show(shell::format_value(value, {}));  // one JSON line: HMP's text as a string
      co_return;
    }
    for (const auto& line : output.lines)
      show(output.error ? shell::format_error("", line, style_) : shell::format_text(line, style_));
  }

  // An error that is not a refusal of the arguments: QEMU's error, a timeout, Ctrl-C, a lost monitor.
  void fail_on(const qmp::error_code& ec, const qmp::Diagnostics& diag, const std::string& doing) {
    switch (qmp::kind_of(ec)) {
      case qmp::error_kind::qmp:
        show_error(diag.qmp_class, diag.qmp_desc);
        return;
      case qmp::error_kind::cancelled:
        show_error("Interrupted", "stopped waiting for the reply to " + doing + " (QEMU may still carry it out)");
        return;
      case qmp::error_kind::timeout:
        show_error("Timeout", "no reply to " + doing + " within --timeout " + seconds_text() + " s");
        return;
      default:
        show_error(qmp::to_string(qmp::kind_of(ec)), diag.describe(ec));
        if (session_.failure()) lost_ = true;
        return;
    }
  }

  std::string seconds_text() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", rt_.line.global.timeout_s);
    return buf;
  }

  static std::string command_text(const script::CommandStep& command) {
    qmp::json::Object o;
    o.add(command.oob ? "exec-oob" : "execute", command.name);
    if (!command.arguments_json.empty()) o.add_raw("arguments", command.arguments_json);
    return o.str();
  }

  // -v: the command as sent; on standard error without a terminal, so that stdout stays one JSON line per command.
  void echo(const script::CommandStep& command) {
    const auto text = shell::format_sent(command_text(command), style_);
    if (terminal_) {
      terminal_->print_above(text);
      return;
    }
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", text.c_str());
    std::fflush(stderr);
  }

  void show(std::string_view text) {
    if (terminal_)
      terminal_->print_above(text);
    else
      write_line(text);
  }

  void show_error(std::string_view error_class, std::string_view desc) {
    if (terminal_) {
      show(shell::format_error(error_class, desc, style_));
      return;
    }
    qmp::json::Object error;
    error.add("class", error_class);
    error.add("desc", desc);
    show(qmp::printable_json(qmp::json::Object().add_raw("error", error.str()).str()));
  }

  const Runtime& rt_;
  const cli::ShellOptions& opt_;
  qmp::Session& session_;
  CommandCheck& check_;
  ShellTerminal* terminal_;
  shell::LineReader reader_;
  shell::OutputStyle style_;
  asio::cancellation_signal* waiting_ = nullptr;  // the command waited for, if any
  bool failed_ = false;                           // a line was refused or failed
  bool lost_ = false;                             // the monitor is gone
  bool quit_ = false;                             // QEMU was asked to quit and did
};

// Prints each event above the prompt; returns once the monitor is gone (the events queued before printed first).
asio::awaitable<void> print_events(qmp::Subscription& events, ShellTerminal& terminal, shell::OutputStyle style) {
  while (true) {
    auto [ec, event] = co_await events.async_next(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    terminal.print_above(shell::format_event(event.text(), style));
  }
}

// The command names Tab offers: query-commands, else the schema's.
asio::awaitable<std::vector<std::string>> command_names(qmp::Session& session, const qmp::Schema* schema) {
  std::vector<std::string> names;
  auto [ec, reply] = co_await session.async_execute("query-commands", "", asio::as_tuple(asio::use_awaitable));
  if (!ec && reply.value().IsArray())
    for (const auto& c : reply.value().GetArray())
      if (auto name = qmp::json::get_string(c, "name")) names.emplace_back(*name);
  if (names.empty() && schema) names = schema->command_names();
  std::sort(names.begin(), names.end());
  co_return names;
}

// Reads and answers lines until exit or Ctrl-D (0), or standard input fails (1).
asio::awaitable<int> read_lines(const Runtime& rt, ShellTerminal& terminal, ShellRun& run,
                                shell::HistoryFile& history) {
  asio::posix::stream_descriptor input(co_await asio::this_coro::executor, ::dup(STDIN_FILENO));
  while (true) {
    terminal.show_prompt(run.prompt());
    auto [ec] =
        co_await input.async_wait(asio::posix::stream_descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return cli::to_int(cli::ExitCode::failed);
    terminal.read_input();
    while (auto line = terminal.take_line()) {
      if (!*line) co_return 0;  // Ctrl-D
      const std::string& text = **line;
      if (text.find_first_not_of(" \t") != std::string::npos) {
        terminal.add_history(text);
        std::string error;
        if (!history.append(text, &error)) rt.logger->debug("history: {}", error);
      }
      if (!co_await run.answer(text)) co_return 0;
    }
  }
}

asio::awaitable<int> interactive(const Runtime& rt, qmp::Session& session, CommandCheck& check,
                                 qmp::Subscription& events) {
  using namespace asio::experimental::awaitable_operators;
  const auto executor = co_await asio::this_coro::executor;
  const qmp::Schema* schema = co_await check.schema();
  const std::vector<std::string> commands = co_await command_names(session, schema);

  shell::HistoryFile history(shell::history_path_from_environment());
  std::string history_error;
  const auto past = history.load(&history_error);
  if (!history_error.empty()) rt.logger->warn("history: {}", history_error);

  ShellRun* run_ptr = nullptr;
  ShellTerminal terminal(past, [&](std::string_view line) {
    return shell::complete(line, schema, commands, run_ptr ? run_ptr->context() : shell::LineContext::command);
  });
  ShellRun run(rt, session, check, &terminal);
  run_ptr = &run;
  write_line("Connected to QEMU " + qmp::printable(session.greeting().version()) +
             " (Tab completes; 'exit' or Ctrl-D leaves; 'quit' stops QEMU)");

  // Ctrl-C and window size changes, as long as the shell runs.
  asio::signal_set signals(executor, SIGINT, SIGWINCH);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                             int number) {
    if (ec) return;
    if (number == SIGWINCH)
      terminal.resized();
    else if (!run.interrupt())
      terminal.discard_line();
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  asio::signal_set terminate(executor, SIGTERM);
  auto terminated = [&]() -> asio::awaitable<void> {
    co_await terminate.async_wait(asio::use_awaitable);
    run.interrupt();  // a command's wait is bound to Ctrl-C's signal, not to the group's cancellation
  };

  auto outcome =
      co_await (read_lines(rt, terminal, run, history) || print_events(events, terminal, run.style()) || terminated());
  signals.cancel();
  if (outcome.index() == 2) co_return cli::to_int(cli::ExitCode::interrupted);
  if (outcome.index() == 0 && !run.lost()) co_return std::get<0>(outcome);
  // The monitor is gone.
  terminal.close_prompt();
  if (session.shutdown_event()) {
    terminal.print_above("QEMU shut down and closed the monitor");
    co_return 0;
  }
  const auto why = session.failure() ? session.failure() : qmp::make_error_code(qmp::errc::connection_lost);
  terminal.print_above(
      shell::format_error("", session.failure_diagnostics().describe(why), run.style()));
  co_return cli::to_int(cli::exit_code_for(why));
}

asio::awaitable<int> scripted(const Runtime& rt, qmp::Session& session, CommandCheck& check) {
  StdinLines input(co_await asio::this_coro::executor);
  ShellRun run(rt, session, check, nullptr);
  asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
  bool interrupted = false;
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted = true;
    input.cancel();
    run.interrupt();
  });
  std::string error;
  while (auto line = co_await input.next(error)) {
    if (!co_await run.answer(*line) || interrupted) break;
  }
  signals.cancel();
  if (interrupted) co_return cli::to_int(cli::ExitCode::interrupted);
  if (!error.empty()) {
    std::fprintf(stderr, "qmpc shell: %s\n", qmp::printable(error).c_str());
    co_return cli::to_int(cli::ExitCode::failed);
  }
  if (run.quit()) co_return 0;
  if (run.lost()) co_return cli::to_int(cli::exit_code_for(session.failure()));
  co_return run.failed() ? cli::to_int(cli::ExitCode::failed) : 0;
}

}  // namespace

asio::awaitable<int> run_shell(const Runtime& rt) {
  const bool on_terminal = ::isatty(STDIN_FILENO) == 1;
  auto options = rt.session_options();
  options.enable_oob = true;  // when QEMU offers it: {"exec-oob": ...} lines work
  qmp::Session session(co_await asio::this_coro::executor, options);
  // Subscribed before connecting: no event is missed between the greeting and the first prompt.
  qmp::Subscription events;
  if (on_terminal)
    events = session.subscribe({}, {.capacity = kEventBacklog, .policy = qmp::OverflowPolicy::drop_oldest});
  if (int rc = co_await connect_session(session, rt)) co_return rc;
  CommandCheck check(rt, session, !rt.line.shell.no_validate);
  const int rc = on_terminal ? co_await interactive(rt, session, check, events) : co_await scripted(rt, session, check);
  session.close();
  co_return rc;
}

}  // namespace qmpc
