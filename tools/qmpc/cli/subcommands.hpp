// The subcommands of qmpc, one file each (internal to cli/).
//
// Adding a subcommand NAME:
//   1. cli/NAME_command.cpp defines add_NAME_command(app, out): it calls app.add_subcommand("NAME", ...), adds
//      the command's own options bound to out.NAME (plain data in cli/options.hpp, std::optional<T> for a value
//      that may be absent), its footer (the rest of its --help), and a callback() that sets out.command and
//      checks what CLI11 cannot check option by option, throwing UsageError("...") for a bad combination
//      (the dispatcher turns it into "qmpc NAME: ...; see 'qmpc NAME --help'", exit 2). Global options
//      (cli/global_options.cpp) are not added again: every subcommand accepts them.
//   2. Declare it below and add it to kSubcommands in cli/command_line.cpp; add the file to qmpc_cli in
//      tools/qmpc/CMakeLists.txt.
//   3. The command itself: a value of cli::Command, and its run_NAME() in tools/qmpc/NAME.cpp, called from main.cpp.
#pragma once

#include "cli/command_line.hpp"
#include "cli/options.hpp"

#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace qmpc::cli {

// A usage error found once the whole command line has been parsed (thrown by a subcommand's callback). The
// message is the part after "qmpc NAME: ".
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --match PATH=VALUE (repeatable) on subcommand `c`, each word parsed by parse_match_condition into `out`; a bad
// word is a UsageError naming it.
void add_match_option(CLI::App& c, std::vector<qmp::DataCondition>& out, const std::string& help);

void add_exec_command(CLI::App& app, CommandLine& out);
void add_run_command(CLI::App& app, CommandLine& out);
void add_hmp_command(CLI::App& app, CommandLine& out);
void add_events_command(CLI::App& app, CommandLine& out);
void add_mirror_command(CLI::App& app, CommandLine& out);
void add_commit_command(CLI::App& app, CommandLine& out);
void add_stream_command(CLI::App& app, CommandLine& out);
void add_backup_command(CLI::App& app, CommandLine& out);
void add_job_command(CLI::App& app, CommandLine& out);
void add_launch_command(CLI::App& app, CommandLine& out);
void add_demo_command(CLI::App& app, CommandLine& out);
void add_trace_command(CLI::App& app, CommandLine& out);
void add_proxy_command(CLI::App& app, CommandLine& out);
void add_shell_command(CLI::App& app, CommandLine& out);

// Throws UsageError when no monitor address was given (for the commands that talk to a running QEMU).
void require_monitor_address(const GlobalOptions& g);

}  // namespace qmpc::cli
