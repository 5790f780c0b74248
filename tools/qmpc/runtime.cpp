#include "runtime.hpp"

#include "cli/error_line.hpp"

#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>

namespace qmpc {

namespace asio = boost::asio;

namespace {

// Stderr, each formatted line passed through qmp::printable: what QEMU sends (logged at trace level) and every
// message naming it cannot reach the terminal raw.
class PrintableStderrSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string_view text(formatted.data(), formatted.size());
    const bool eol = !text.empty() && text.back() == '\n';
    if (eol) text.remove_suffix(1);
    std::string line = qmp::printable(text);
    if (eol) line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

qmp::Clock::duration seconds(double s) {
  return std::chrono::duration_cast<qmp::Clock::duration>(std::chrono::duration<double>(s));
}

qmp::SessionOptions Runtime::session_options() const {
  qmp::SessionOptions o;
  o.logger = logger;
  o.connect_timeout = seconds(line.global.connect_timeout_s);
  // A monitor that accepts but does not greet (another client holds it) is given as long, at least a second.
  o.handshake_timeout = seconds(std::max(line.global.connect_timeout_s, 1.0));
  o.command_timeout = seconds(line.global.timeout_s);
  o.observer = transcript;
  return o;
}

std::shared_ptr<spdlog::logger> make_stderr_logger(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("qmpc", std::make_shared<PrintableStderrSink>());
  logger->set_pattern("qmpc %H:%M:%S.%f %l: %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

namespace {

void write_stdout_line(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

void print_line(std::string_view text) { write_stdout_line(qmp::printable(text)); }

void print_json_line(std::string_view json) { write_stdout_line(qmp::printable_json(json)); }

int report_error(const qmp::error_code& ec, const qmp::Diagnostics& diag, std::string_view doing,
                 std::string_view hint) {
  std::fflush(stdout);
  const std::string line = cli::error_line(ec, diag, doing, hint);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  return cli::to_int(cli::exit_code_for(ec));
}

asio::awaitable<int> connect_session(qmp::Session& session, const Runtime& rt) {
  auto [ec] = co_await session.async_connect(rt.line.global.socket, asio::as_tuple(asio::use_awaitable));
  if (!ec) co_return 0;
  if (qmp::kind_of(ec) == qmp::error_kind::cancelled) co_return cli::to_int(cli::ExitCode::interrupted);  // ^C
  auto diag = session.failure_diagnostics();
  if (diag.desc.empty()) diag.desc = "cannot connect to " + rt.line.global.socket + ": " + ec.message();
  co_return report_error(ec, diag);
}

int run_task(asio::io_context& ioc, std::function<asio::awaitable<int>()> task, bool interruptible) {
  using namespace asio::experimental::awaitable_operators;
  int result = cli::to_int(cli::ExitCode::failed);
  std::exception_ptr failure;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        if (!interruptible) {
          result = co_await task();
        } else {
          asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
          auto first = co_await (task() || signals.async_wait(asio::use_awaitable));
          result = first.index() == 0 ? std::get<0>(first) : cli::to_int(cli::ExitCode::interrupted);
        }
        ioc.stop();  // a session's reader may still be waiting for bytes
      },
      [&](std::exception_ptr e) {
        failure = e;
        ioc.stop();
      });
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  return result;
}

}  // namespace qmpc
