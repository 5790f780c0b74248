// qmpc trace ACTION ...: a thin wrapper over the transcript tools (tools/trace).
#include "commands.hpp"

#include "trace/trace_commands.hpp"

#include <cstdio>

namespace qmpc {

int run_trace(boost::asio::io_context& ioc, const Runtime& rt) {
  return trace::run_trace_action(ioc, rt.line.trace, stdout, stderr);
}

}  // namespace qmpc
