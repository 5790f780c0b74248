// One coroutine per qmpc command; each returns its exit code (see cli/exit_code.hpp).
#pragma once

#include "runtime.hpp"

#include <boost/asio/awaitable.hpp>

namespace qmpc {

boost::asio::awaitable<int> run_exec(const Runtime& rt);
boost::asio::awaitable<int> run_script(const Runtime& rt);
boost::asio::awaitable<int> run_hmp(const Runtime& rt);
boost::asio::awaitable<int> run_events(const Runtime& rt);
// Serves until QEMU goes away (SIGINT/SIGTERM: 130).
boost::asio::awaitable<int> run_proxy(const Runtime& rt);
boost::asio::awaitable<int> run_launch(const Runtime& rt);
// Handles SIGINT/SIGTERM itself (aborts the job, then exits 130).
boost::asio::awaitable<int> run_mirror(const Runtime& rt);
boost::asio::awaitable<int> run_demo(const Runtime& rt);
// Handles SIGINT itself (clears the line, or stops waiting for a command); SIGTERM ends it with 130.
boost::asio::awaitable<int> run_shell(const Runtime& rt);
// Runs `ioc` itself (replay serves until its client leaves).
int run_trace(boost::asio::io_context& ioc, const Runtime& rt);

}  // namespace qmpc
