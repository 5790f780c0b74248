// qmpc shell [-p|--pretty] [-H|--hmp] [-v|--verbose] [--no-validate]
#include "cli/subcommands.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kShellFooter = R"(
An interactive QMP shell on the monitor at -s ADDR (or $QMPC_SOCKET), with line editing, history and Tab
completion from the connected QEMU's schema: command names, then argument names (nested ones as KEY.MEMBER=),
then the values of an enum or a boolean.
Lines:
  COMMAND [KEY=VALUE ... | JSON-OBJECT]     a QMP command, words as after 'qmpc exec' (quote as in a shell)
  {"execute": NAME, "arguments": {...}}     a command object ("exec-oob" sends it out of band)
  hmp TEXT                                  an HMP command through human-monitor-command; its text printed
  transaction( [KEY=VALUE ...]              opens a block; the words are the transaction's properties
    ACTION-TYPE [KEY=VALUE ... | JSON]      one action per line ("..." prompt)
  )                                         sends one transaction of the actions, in order
  exit                                      leaves the shell (Ctrl-D too; 'quit' is QEMU's command: it stops QEMU)
Each result is printed as one line of compact JSON (--pretty: indented); an error as CLASS: desc. Events are
printed as they arrive, above the prompt, without disturbing the line being typed. Before a command is sent its
arguments are checked against the schema (as by exec): a bad member, type or enum value is an error line
naming its path, and nothing is sent (--no-validate sends it unchecked). Ctrl-C clears the line, or stops
waiting for a command's reply. Colours on a terminal, unless NO_COLOR is set.
History: $XDG_STATE_HOME/qmpc/history, or ~/.qmpc_history (the last 1000 lines).
When standard input is not a terminal, the lines are read from it without a prompt, editing or events, and
each result is printed as one line of JSON: the "return" value, or {"error": {"class": ..., "desc": ...}}.
Exit: 0 at exit or end of input (or after QEMU quit as asked); 1 when an input line was refused or failed
(without a terminal only); 3 when the connection failed or was lost.

Examples:
  qmpc shell -s /run/vm.qmp
  qmpc shell -H                         # every line is HMP: info block, info status
  printf 'query-status\nhmp info version\n' | qmpc shell)";

}  // namespace

void add_shell_command(CLI::App& app, CommandLine& out) {
  ShellOptions& s = out.shell;
  auto* c = app.add_subcommand("shell", "An interactive QMP shell with schema completion");
  c->footer(kShellFooter);
  c->add_flag("-p,--pretty", s.pretty, "Indent JSON results");
  c->add_flag("-H,--hmp", s.hmp_mode, "HMP mode: every line is an HMP command");
  c->add_flag("-v,--verbose", s.verbose, "Echo each QMP command sent");
  c->add_flag("--no-validate", s.no_validate, "Send commands without checking them against QEMU's schema");
  c->callback([&out] {
    out.command = Command::shell;
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
