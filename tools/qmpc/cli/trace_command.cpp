// qmpc trace import-libvirt|timeline|check|show|replay ...: one CLI11 subcommand per action, bound to
// TraceOptions (trace/trace_request.hpp).
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

#include <string>

namespace qmpc::cli {
namespace {

constexpr const char* kTraceFooter = R"(
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
'qmpc trace ACTION --help' describes one action. Global options are accepted and ignored: these tools read
files, they do not talk to QEMU.

Exit codes: 0 done (check: no error found; replay: the client did what the recorded one did); 1 failed (a file
could not be read or written, check found errors, replay diverged); 2 bad arguments.

Examples:
  qmpc -s /run/vm.qmp --trace run.qmpt mirror --device drive0 --target /srv/new.qcow2 --pivot
  qmpc trace timeline run.qmpt
  qmpc trace import-libvirt /var/log/libvirt/libvirtd.log -o blockcopy.qmpt && qmpc trace check blockcopy.qmpt)";

// One action: its subcommand of `trace`, the options every action takes, and the callback that names it.
CLI::App* add_action(CLI::App& trace_app, CommandLine& out, trace::TraceAction action, const std::string& help) {
  TraceOptions& t = out.trace;
  auto* a = trace_app.add_subcommand(trace::to_string(action), help);
  a->add_option("--max-line-bytes", t.max_line_bytes,
                "The longest line read, in bytes (files; replay: from the client); default 10489856")
      ->type_name("N")
      ->check(count_check());
  a->callback([&out, action] {
    out.command = Command::trace;
    out.trace.action = action;
  });
  return a;
}

void add_file(CLI::App& a, TraceOptions& t, const char* name, const char* help) {
  a.add_option(name, t.file, help)->required()->type_name("");
}

}  // namespace

void add_trace_command(CLI::App& app, CommandLine& out) {
  TraceOptions& t = out.trace;
  auto* c = app.add_subcommand("trace", "Work with transcripts: import-libvirt, timeline, check, show, replay");
  c->footer(kTraceFooter);
  c->require_subcommand(1);

  auto* imp = add_action(*c, out, trace::TraceAction::import_libvirt,
                         "Turn a libvirt debug log into transcripts, one per monitor and connection");
  add_file(*imp, t, "LOG", "libvirt's debug log (log_filters including 1:qemu)");
  imp->add_option("--monitor", t.monitor, "Only the monitor at this address, as the log names it (0x7f...)")
      ->type_name("0xADDR");
  imp->add_option("-o,--output", t.output,
                  "Write the one transcript to FILE (- : standard output) instead of <LOG stem>-<monitor>.qmpt")
      ->type_name("FILE");
  imp->add_flag("--overwrite", t.overwrite, "Replace an existing regular file (new files only without it)");

  auto* tl = add_action(*c, out, trace::TraceAction::timeline, "Per-job states and latencies");
  add_file(*tl, t, "FILE", "The transcript");
  tl->add_flag("--json", t.json, "One JSON object per job and line");

  auto* ck = add_action(*c, out, trace::TraceAction::check,
                        "Findings, one per line (exit 1 when one is an error), e.g. a pivot before ready");
  add_file(*ck, t, "FILE", "The transcript");
  ck->add_flag("--json", t.json, "One JSON object per finding, then the counts");

  auto* sh = add_action(*c, out, trace::TraceAction::show,
                        "The transcript for people: time, sequence number, direction, message");
  add_file(*sh, t, "FILE", "The transcript");

  auto* rp = add_action(*c, out, trace::TraceAction::replay,
                        "Serve the recording to one client on a UNIX socket, checking it sends the same commands "
                        "with the same arguments");
  add_file(*rp, t, "FILE", "The transcript");
  rp->add_option("--listen", t.listen, "The UNIX socket path to serve on (a live socket there is refused)")
      ->type_name("PATH")
      ->required();
  rp->add_flag("--paced", t.paced, "Keep the recorded delays between messages");
  rp->add_option("--ignore", t.ignored_arguments,
                 "An argument path that may differ from the recording, e.g. job-id or target (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
}

}  // namespace qmpc::cli
