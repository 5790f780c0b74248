// The argument model of qmpc: every command, option, help text and usage error. Parsing only: nothing here opens
// a socket or prints, so it is unit-tested directly.
#pragma once

#include "cli/options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace qmpc::cli {

struct ParseOutcome {
  std::optional<CommandLine> line;  // set when a command should run
  int exit_code = 0;                // when `line` is unset: exit with this (0 after --help/--version, 2 on error)
  std::string out;                  // text for stdout (help, version)
  std::string err;                  // text for stderr (a one-line usage error with a hint)
};

// `args` excludes the program name. `socket_env` is $QMPC_SOCKET (nullptr when unset).
ParseOutcome parse_command_line(const std::vector<std::string>& args, const char* socket_env);

// The version line printed by --version.
std::string version_text();

}  // namespace qmpc::cli
