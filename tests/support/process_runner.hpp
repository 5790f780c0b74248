// Runs a program to completion (argv, no shell) and captures what it printed.
#pragma once

#include <string>
#include <vector>

namespace qmpc_test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or not started
  int signal = 0;
  std::string output;  // stdout and stderr, interleaved as written
  bool ok() const noexcept { return exit_code == 0; }
};

// Blocking; stdin is /dev/null. A program that cannot be started gives exit_code 127 and the reason in output.
ProcessResult run_process(const std::vector<std::string>& argv);

// "prog a b c" for failure messages.
std::string join_argv(const std::vector<std::string>& argv);

}  // namespace qmpc_test
