// qmpc run [FILE|-] [--keep-going]
#include "cli/subcommands.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kRunFooter = R"(
Runs a script of steps on one connection, in order. FILE ("-" or none: standard input) is read and checked
whole before connecting: an invalid line is a usage error (exit 2) naming it, and nothing is sent.
One step per line:
  COMMAND [KEY=VALUE ... | JSON-OBJECT]    a command, as after 'qmpc exec'; words are split and quoted as
                                           in the shell: human-monitor-command command-line='info block'
  {"execute": NAME, "arguments": {...}}    a raw command object ("exec-oob" instead of "execute": out of band)
  wait-event PATTERN [PATH=VALUE ...] [--for SEC]
                                           waits for an event whose name matches PATTERN ('*' and '?' as in
                                           the shell) and whose data matches every PATH=VALUE: PATH is dotted
                                           into "data" (a.b; a number indexes a list), VALUE is JSON when it
                                           is valid JSON, else a string. Waits at most SEC (default --timeout).
  blank lines, and lines starting with '#'
Events are recorded from the moment the session starts: a wait-event finds an event that came before the
reply of the command that caused it, or while an earlier step ran. The event it takes is consumed; the first
match in QEMU's order is taken.
Prints one line of JSON per step on stdout, N counting steps from 1:
  {"step":N,"execute":"NAME","return":VALUE}
  {"step":N,"execute":"NAME","error":{"class":"CLASS","desc":"DESC"}}
  {"step":N,"event":{...the whole event...}}
  {"step":N,"wait-event":"PATTERN","error":{"class":"Timeout","desc":"..."}}
Each command is checked against QEMU's schema before it is sent, as by 'qmpc exec': one QEMU would refuse is
not sent, and its step fails with "class":"ValidationError" and the path in "desc" (exit 2); --no-validate
sends every step unchecked.
Stops at the first failed step unless --keep-going (a lost connection stops it regardless); each failure is
also reported on stderr. --timeout is each command's deadline and the default of --for.
Exit: 0 every step succeeded; otherwise the code of the first failure: 1 a command failed; 2 invalid script,
or a step's arguments refused by the schema; 3 connection lost; 4 a wait (or a command) timed out; 130 interrupted.

Example script:
  # stop the guest and see it stop
  stop
  wait-event STOP --for 5
  {"execute": "cont"}
  wait-event RESUME
  blockdev-add driver=null-co node-name=n0 size=1048576
  blockdev-backup job-id=b0 device=n0 target=n1 sync=full
  wait-event JOB_STATUS_CHANGE id=b0 status=concluded --for 60)";

}  // namespace

void add_run_command(CLI::App& app, CommandLine& out) {
  RunOptions& r = out.run;
  auto* c = app.add_subcommand("run", "Run a script of commands and event waits on one connection");
  c->footer(kRunFooter);
  c->add_option("FILE", r.file, "The script; - (the default) reads standard input")->type_name("PATH");
  c->add_flag("--keep-going", r.keep_going, "Run every step even after one failed (exit: the first failure's)");
  c->add_flag("--no-validate", r.no_validate, "Send the commands without checking them against QEMU's schema");
  c->callback([&out] {
    out.command = Command::run;
    if (out.run.file.empty()) throw UsageError("FILE is empty: give a script file, or - for standard input");
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
