// What every qmpc command shares at run time: the parsed command line, the logger, the transcript, and the
// conventions for printing results and errors.
#pragma once

#include "cli/exit_code.hpp"
#include "cli/options.hpp"

#include "qmp/session.hpp"
#include "qmp/transcript_writer.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string_view>

namespace qmpc {

struct Runtime {
  const cli::CommandLine& line;
  std::shared_ptr<spdlog::logger> logger;          // stderr, at --log-level
  std::shared_ptr<qmp::TranscriptWriter> transcript;  // with --trace

  // Session options from the global options: deadlines, logger, transcript.
  qmp::SessionOptions session_options() const;
};

// A number of seconds from the command line as a clock duration.
qmp::Clock::duration seconds(double s);

// A logger on stderr at `level` (trace|debug|info|warn|error|off); each line is escaped by qmp::printable.
std::shared_ptr<spdlog::logger> make_stderr_logger(const std::string& level);

// Writes one line for people (a '\n' is appended) to stdout and flushes it; control characters and invalid UTF-8
// are escaped (qmp::printable).
void print_line(std::string_view text);
// Writes one line of JSON to stdout and flushes it, made valid UTF-8 with no raw control characters
// (qmp::printable_json).
void print_json_line(std::string_view json);

// Prints the error line for `ec` on stderr and returns the exit code that goes with it.
int report_error(const qmp::error_code& ec, const qmp::Diagnostics& diag, std::string_view doing = {},
                 std::string_view hint = {});

// Connects `session` to the global --socket address; prints the error and returns its exit code on failure, 0 on
// success.
boost::asio::awaitable<int> connect_session(qmp::Session& session, const Runtime& rt);

// Runs `task` on `ioc` to completion and returns its exit code. With `interruptible`, SIGINT or SIGTERM cancel it
// and the result is 130.
int run_task(boost::asio::io_context& ioc, std::function<boost::asio::awaitable<int>()> task, bool interruptible);

}  // namespace qmpc
