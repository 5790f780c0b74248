#include "runtime.hpp"

#include "cli/error_line.hpp"

#include "qmp/address.hpp"
#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>

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

namespace {

// While a connection is not made yet, says on stderr what qmpc waits for: once after a second, and again when
// that changes (the socket appeared, and now the greeting is awaited). Stopped (cancel()) once connected or failed;
// a handler already queued then finds done_ set (it holds the notice alive).
class ConnectNotice : public std::enable_shared_from_this<ConnectNotice> {
 public:
  ConnectNotice(asio::any_io_executor ex, const Runtime& rt) : timer_(ex), global_(rt.line.global) {
    const auto addr = qmp::Address::parse(global_.socket);
    if (addr && addr->kind == qmp::Address::Kind::unix_path) unix_path_ = addr->path;
  }
  void start() { arm(); }
  void cancel() {
    done_ = true;
    timer_.cancel();
  }

 private:
  void arm() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->done_) return;
      self->tell();
      self->arm();
    });
  }
  void tell() {
    const bool missing = !unix_path_.empty() && !std::filesystem::exists(unix_path_);
    if (told_ && missing == told_missing_) return;
    const auto& g = global_;
    const auto limit = [](double s) {
      std::ostringstream out;
      out << s;
      return out.str();
    };
    std::string line;
    if (missing)
      line = "qmpc: waiting for the socket " + unix_path_ + " to appear; retrying for up to " +
             limit(g.connect_timeout_s) + " s (--connect-timeout)";
    else
      line = "qmpc: waiting for the QMP greeting from " + g.socket +
             ": another client may hold the monitor (QEMU serves one at a time); waiting up to " +
             limit(std::max(g.connect_timeout_s, 1.0)) + " s (--connect-timeout)";
    line = qmp::printable(line) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    told_ = true;
    told_missing_ = missing;
  }

  asio::steady_timer timer_;
  cli::GlobalOptions global_;
  std::string unix_path_;
  bool done_ = false, told_ = false, told_missing_ = false;
};

}  // namespace

asio::awaitable<int> connect_session(qmp::Session& session, const Runtime& rt) {
  auto notice = std::make_shared<ConnectNotice>(co_await asio::this_coro::executor, rt);
  notice->start();
  auto [ec] = co_await session.async_connect(rt.line.global.socket, asio::as_tuple(asio::use_awaitable));
  notice->cancel();
  if (!ec) co_return 0;
  if (qmp::kind_of(ec) == qmp::error_kind::cancelled) co_return cli::to_int(cli::ExitCode::interrupted);  // ^C
  auto diag = session.failure_diagnostics();
  if (diag.what.empty()) diag.what = "cannot connect to " + rt.line.global.socket + ": " + ec.message();
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
