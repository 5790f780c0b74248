// qmpc exec COMMAND [ARGS...]
#include "cli/key_value.hpp"
#include "cli/subcommands.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kExecFooter = R"(
Arguments: either one JSON object, or KEY=VALUE words as in qmp-shell. A VALUE that is valid JSON (a number,
true, false, null, a "quoted string", an object, an array) is taken as JSON, anything else as a string. Dotted
keys nest: a.b=1 gives {"a":{"b":1}}. Quote for the shell: name='"123"' sends the string "123".
Prints the reply's "return" value as one line of JSON on stdout (--pretty: indented).
Exit: 0 success; 1 QEMU returned an error (stderr: "qmpc: CLASS: DESC"); 2 bad arguments; 3 connection
failure; 4 no reply within --timeout.

Examples:
  qmpc exec query-block-jobs
  qmpc exec drive-mirror device=drive0 target=/tmp/copy.qcow2 sync=full format=qcow2 job-id=job0
  qmpc exec blockdev-add driver=null-co node-name=n0 size=1048576
  qmpc exec human-monitor-command command-line='info block')";

}  // namespace

void add_exec_command(CLI::App& app, CommandLine& out) {
  ExecOptions& e = out.exec;
  auto* c = app.add_subcommand("exec", "Run one QMP command and print its result as JSON");
  c->footer(kExecFooter);
  c->add_option("COMMAND", e.command, "QMP command name, e.g. query-status")->required();
  c->add_option("ARGS", e.words, "KEY=VALUE words, or one JSON object")->type_name("ARG");
  c->add_flag("--pretty", e.pretty, "Indent the JSON result");
  c->callback([&out] {
    out.command = Command::exec;
    std::string error;
    auto json = build_arguments(out.exec.words, &error);
    if (!json) throw UsageError(error);
    out.exec.arguments_json = std::move(*json);
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
