// qmpc trace ACTION ARGS...
#include "cli/command_line.hpp"
#include "cli/subcommands.hpp"
#include "cli/usage_hint.hpp"

#include <algorithm>
#include <iterator>

namespace qmpc::cli {
namespace {

constexpr const char* kTraceHelp = R"(Work with transcripts of QMP traffic (written by --trace, or imported from libvirt's debug log)
Usage: qmpc trace ACTION ARGS...

Actions:
  import-libvirt LOG [--monitor 0xADDR] [-o FILE|-] [--overwrite]
                          turn a libvirt debug log into transcripts, one per monitor and connection
                          (<LOG stem>-<monitor>[-<connection>].qmpt here, or FILE when there is one;
                          -o -: on stdout); new files only, unless --overwrite
  timeline FILE [--json]  per-job states and latencies (ready after, pivot sent after ready, completed after)
  check FILE [--json]     findings, one per line (e.g. a pivot sent before the job said it was ready)
  show FILE               the transcript for people: time, sequence number, direction, one message per line
  replay FILE --listen PATH [--paced] [--ignore PATH]...
                          serve the recording to one client on a UNIX socket, checking it sends the same
                          commands with the same arguments (--ignore: an argument that may differ)
Every action takes --max-line-bytes N: the longest line read (files; replay: the client), default 10489856.
'qmpc trace ACTION --help' describes one action.

Exit codes: 0 done (check: no error found; replay: the client did what the recorded one did); 1 failed (a file
could not be read or written, check found errors, replay diverged); 2 bad arguments.

Examples:
  qmpc -s /run/vm.qmp --trace run.qmpt mirror --device drive0 --target /srv/new.qcow2 --pivot
  qmpc trace timeline run.qmpt
  qmpc trace import-libvirt /var/log/libvirt/libvirtd.log -o blockcopy.qmpt && qmpc trace check blockcopy.qmpt
)";

constexpr const char* kTraceActions[] = {"import-libvirt", "timeline", "check", "show", "replay"};

}  // namespace

void add_trace_command(CLI::App& app, CommandLine&) {
  // Listed for --help; `qmpc trace ...` itself is parsed by parse_trace().
  app.add_subcommand("trace",
                     "Work with transcripts: import-libvirt, timeline, check, show, replay (qmpc trace --help)");
}

ParseOutcome parse_trace(const std::vector<std::string>& args) {
  ParseOutcome outcome;
  if (args.size() < 2 || args[1] == "-h" || args[1] == "--help") {
    outcome.out = kTraceHelp;
    if (args.size() < 2) {
      outcome.out.clear();
      outcome.exit_code = 2;
      outcome.err = "qmpc trace: an action is required (import-libvirt, timeline, check, show, replay); see "
                    "'qmpc trace --help'\n";
    }
    return outcome;
  }
  const std::vector<std::string> actions(std::begin(kTraceActions), std::end(kTraceActions));
  if (std::find(actions.begin(), actions.end(), args[1]) == actions.end()) {
    std::string message = "qmpc trace: unknown action '" + args[1] + "'";
    const auto guess = closest_match(args[1], actions);
    if (!guess.empty()) message += " (did you mean '" + guess + "'?)";
    outcome.exit_code = 2;
    outcome.err = message + "; see 'qmpc trace --help'\n";
    return outcome;
  }
  CommandLine line;
  line.command = Command::trace;
  line.trace.action = args[1];
  line.trace.args.assign(args.begin() + 2, args.end());
  outcome.line = std::move(line);
  return outcome;
}

}  // namespace qmpc::cli
