// Child processes for benchmarks: run a tool to completion (qemu-img, qemu-io), or re-run this benchmark binary
// as a child to measure one mode in isolation (its own peak RSS and CPU time).
#pragma once

#include <sys/resource.h>

#include <string>
#include <vector>

namespace qmpc_bench {

struct ToolResult {
  int exit_code = -1;  // -1: could not start or killed by a signal
  std::string output;  // stdout and stderr together
  bool ok() const noexcept { return exit_code == 0; }
};

// Runs argv[0] (looked up in PATH) with stdout and stderr captured; waits for it.
ToolResult run_tool(const std::vector<std::string>& argv);
// Same, but throws std::runtime_error with the command line and output when it fails.
std::string run_tool_or_throw(const std::vector<std::string>& argv);

struct ChildResult {
  int exit_code = -1;
  std::string output;  // the child's stdout
  rusage usage{};      // the child's resource usage (ru_maxrss in KiB)
};

// Runs this executable (/proc/self/exe) with `args`; stderr is inherited.
ChildResult run_self(const std::vector<std::string>& args);

}  // namespace qmpc_bench
