// qmpc exec COMMAND [ARGS...] | COMMAND-OBJECT | - [--pretty] [--full] [--wait-event NAME [--match PATH=VALUE]...
// [--wait-for SEC]]
#include "cli/key_value.hpp"
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"
#include "script/step_parser.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kExecFooter = R"(
Arguments: either one JSON object, or KEY=VALUE words as in qmp-shell. A VALUE that is valid JSON (a number,
true, false, null, a "quoted string", an object, an array) is taken as JSON, anything else as a string. Dotted
keys nest: a.b=1 gives {"a":{"b":1}}. Quote for the shell: name='"123"' sends the string "123".
A COMMAND starting with '{' is a whole command object, {"execute": NAME, "arguments": {...}} ("exec-oob"
instead of "execute" sends it out of band), and takes no ARGS; COMMAND - reads one such object from stdin.
Prints the reply's "return" value as one line of JSON on stdout (--pretty: indented; --full: the whole reply
object, errors included).
--wait-event subscribes to events before the command is written, then, after printing the return value, prints
the first event the command caused whose name matches NAME ('*' and '?' as in the shell) and whose data
matches every --match PATH=VALUE (PATH dotted into "data", VALUE JSON when it is valid JSON, else a string),
even one QEMU sent before the reply. A failed command does not wait.
Before it is sent, the command is checked against the connected QEMU's schema (query-qmp-schema, cached per
QEMU version in $XDG_CACHE_HOME/qmpc/schema/): an unknown or missing member, a value of the wrong type or not
in its enum is refused naming its path (qmpc: drive-mirror: arguments.sync: expected one of ..., got "ful"),
exit 2, and nothing is sent (a command QEMU does not have is sent, for QEMU to answer CommandNotFound).
--no-validate sends it unchecked (also for a replayed recording that lacks query-qmp-schema).
Exit: 0 success; 1 QEMU returned an error (stderr: "qmpc: CLASS: DESC"); 2 bad arguments, or arguments the
schema refuses; 3 connection failure; 4 no reply within --timeout, or no matching event within --wait-for.

Examples:
  qmpc exec query-block-jobs
  qmpc exec drive-mirror device=drive0 target=/tmp/copy.qcow2 sync=full format=qcow2 job-id=job0
  qmpc exec blockdev-add driver=null-co node-name=n0 size=1048576
  qmpc exec '{"execute": "query-status"}'
  qmpc exec stop --wait-event STOP
  qmpc exec blockdev-backup job-id=b0 device=n0 target=n1 sync=full \
      --wait-event JOB_STATUS_CHANGE --match id=b0 --match status=concluded --wait-for 60
  qmpc exec human-monitor-command command-line='info block')";

}  // namespace

void add_exec_command(CLI::App& app, CommandLine& out) {
  ExecOptions& e = out.exec;
  auto* c = app.add_subcommand("exec", "Run one QMP command and print its result as JSON");
  c->footer(kExecFooter);
  c->add_option("COMMAND", e.command, "QMP command name (e.g. query-status), a command object, or - for stdin")
      ->required();
  c->add_option("ARGS", e.words, "KEY=VALUE words, or one JSON object")->type_name("ARG");
  c->add_flag("--pretty", e.pretty, "Indent the JSON result");
  c->add_flag("--full", e.full, "Print the whole reply object, errors included");
  c->add_flag("--no-validate", e.no_validate, "Send the command without checking it against QEMU's schema");
  c->add_option("--wait-event", e.wait_event, "Then wait for an event of this name (a pattern) and print it")
      ->type_name("NAME");
  add_match_option(*c, e.match, "With --wait-event: the event's data at PATH must equal VALUE (repeatable)");
  c->add_option("--wait-for", e.wait_for_s, "With --wait-event: wait at most SEC seconds (default: --timeout)")
      ->type_name("SEC")
      ->check(seconds_check(false));
  c->callback([&out] {
    out.command = Command::exec;
    ExecOptions& x = out.exec;
    if (x.wait_event.empty() && (!x.match.empty() || x.wait_for_s))
      throw UsageError("--match and --wait-for go with --wait-event NAME");
    std::string error;
    if (x.command == "-" || (!x.command.empty() && x.command.front() == '{')) {
      if (!x.words.empty())
        throw UsageError("a command object (or - for one on stdin) takes no further arguments, got '" + x.words[0] +
                         "'");
      if (x.command == "-") {
        x.from_stdin = true;
      } else {
        auto command = script::parse_command_object(x.command, &error);
        if (!command) throw UsageError(error);
        x.command = command->name;
        x.arguments_json = command->arguments_json;
        x.oob = command->oob;
      }
    } else {
      auto json = build_arguments(x.words, &error);
      if (!json) throw UsageError(error);
      x.arguments_json = std::move(*json);
    }
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
