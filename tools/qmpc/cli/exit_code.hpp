// qmpc's exit codes, the same for every command. Scripts depend on these numbers.
#pragma once

#include "qmp/error.hpp"

namespace qmpc::cli {

enum class ExitCode : int {
  ok = 0,            // done as asked
  failed = 1,        // a command or the job failed (QMP error), or QEMU could not be started
  usage = 2,         // bad command line
  connection = 3,    // cannot connect, connection lost, malformed data from the monitor, QEMU exited early
  deadline = 4,      // a deadline passed
  interrupted = 130  // SIGINT or SIGTERM
};

inline int to_int(ExitCode c) noexcept { return static_cast<int>(c); }

// The exit code for an error the qmp library handed out (by qmp::kind_of).
ExitCode exit_code_for(const qmp::error_code& ec) noexcept;

}  // namespace qmpc::cli
