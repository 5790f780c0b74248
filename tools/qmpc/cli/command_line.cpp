#include "cli/command_line.hpp"

#include "cli/key_value.hpp"
#include "cli/size_value.hpp"
#include "cli/usage_hint.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#ifndef QMPC_VERSION
#define QMPC_VERSION "0.0.0"
#endif

namespace qmpc::cli {

const char* to_string(Command c) noexcept {
  switch (c) {
    case Command::exec: return "exec";
    case Command::events: return "events";
    case Command::mirror: return "mirror";
    case Command::launch: return "launch";
    case Command::demo: return "demo";
    case Command::trace: return "trace";
  }
  return "?";
}

const char* to_string(MirrorEnd e) noexcept {
  switch (e) {
    case MirrorEnd::wait: return "wait";
    case MirrorEnd::pivot: return "pivot";
    case MirrorEnd::finish: return "finish";
    case MirrorEnd::detach: return "detach";
  }
  return "?";
}

std::string version_text() { return "qmpc " QMPC_VERSION; }

namespace {

constexpr const char* kMainDescription =
    "qmpc: a QMP client for bare QEMU. Runs monitor commands, follows events, launches QEMU, and mirrors disks,\n"
    "pivoting only once the mirror job itself reports that it is ready.";

constexpr const char* kMainFooter = R"(
Monitor address (ADDR): a UNIX socket path, unix:PATH, or tcp:HOST:PORT; default $QMPC_SOCKET.
QEMU must offer a QMP monitor there, e.g. -qmp unix:/run/vm.qmp,server=on,wait=off.
Global options may come before or after the command name.

Exit codes (every command):
  0    done as asked
  1    a QMP command or the job failed (stderr: "qmpc: CLASS: DESC")
  2    usage error
  3    connection or protocol failure: cannot connect, connection lost, malformed data from the monitor,
       QEMU exited
  4    a deadline passed
  130  interrupted (SIGINT or SIGTERM)

Examples:
  qmpc -s /run/vm.qmp exec query-status
  qmpc -s /run/vm.qmp exec block-job-set-speed device=job0 speed=0
  qmpc -s /run/vm.qmp exec blockdev-add '{"driver":"null-co","node-name":"n0"}'
  qmpc -s /run/vm.qmp events --name BLOCK_JOB_READY --count 1
  qmpc -s /run/vm.qmp mirror --device drive0 --target /var/lib/new.qcow2 --format qcow2 --pivot
  qmpc launch -- -drive if=none,id=disk0,file=disk.qcow2
  qmpc demo

Run 'qmpc COMMAND --help' for the options of one command; see also qmpc(1).)";

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

constexpr const char* kEventsFooter = R"(
Prints each event (the whole message, timestamp included) as one line of compact JSON on stdout, flushed per
line, in the order QEMU sent them. Ends with exit 0 after --count events, after --for seconds, or when QEMU
sends SHUTDOWN and closes the connection; exit 3 when the connection is lost otherwise.

Examples:
  qmpc events --name JOB_STATUS_CHANGE --name BLOCK_JOB_READY
  qmpc events --name BLOCK_JOB_COMPLETED --count 1 --for 600)";

constexpr const char* kMirrorFooter = R"(
Starts drive-mirror (TARGET is a file path; qmpc lets QEMU create it unless --reuse-external) or, with
--blockdev, blockdev-mirror (TARGET is the node name of an already added target), then follows the job.
The job is only completed once QEMU reports it ready (JOB_STATUS_CHANGE ready, BLOCK_JOB_READY, or a query
showing status ready), never because offset reached len.

How it ends (one of):
  --wait     (default) wait until the job is ready, exit leaving it mirroring
  --pivot    wait until ready, complete it (switch the device to TARGET), wait until completed
  --finish   wait until ready, then cancel softly: TARGET keeps a point-in-time copy, the device stays on
             the source
  --detach   exit as soon as the job runs

--json prints one JSON object per line on stdout: each state change, progress at each poll, and a final
summary {"result": "pivoted"|"completed"|"finished"|"ready"|"detached"|"failed"|"cancelled"|"timeout"|
"interrupted", "job", "len", "offset", "ready_ms", "done_ms", "pivot_us" (from reading the first ready signal to writing
the completion command), "error"}. Without --json, one human-readable line on stdout at the end.
SIGINT or SIGTERM aborts the job (a forced cancel after ready: the source stays in use, untouched), waits
for the cancellation (at most --abort-grace) and exits 130; a second one exits 130 at once, saying in which
state the job was left in QEMU.
--timeout bounds the whole run, connecting included: once it passes the job is aborted, and qmpc exits 4 at
most --abort-grace seconds later (default 5), whether QEMU confirmed the abort or never answered at all; the
error then says what state the job was left in.
Exit: 0 done; 1 the job or a command failed; 3 connection lost; 4 --timeout passed (job aborted); 130.

Examples:
  qmpc mirror --device drive0 --target /srv/new.qcow2 --format qcow2 --pivot
  qmpc mirror --blockdev --device drive0 --target tgt --bandwidth 64M --json --finish)";

constexpr const char* kLaunchFooter = R"(
Starts QEMU (with -M none -nodefaults -display none first unless QEMU-ARGS choose a machine) with a QMP
monitor on a UNIX socket, waits for its greeting, then prints {"pid": N, "socket": PATH} on stdout. It then
stays in the foreground, forwarding QEMU's stderr, until QEMU exits, and exits with QEMU's exit code; SIGINT
and SIGTERM are passed on to QEMU. With --detach it exits 0 at once and leaves QEMU running (stop it with
'qmpc -s PATH exec quit').
Exit: QEMU's exit code (128+N when killed by signal N); 0 with --detach; 3 when QEMU exits before its
greeting (its stderr is shown); 1 when it cannot be started; 4 when no greeting came within 15 seconds.

Examples:
  qmpc launch --detach -- -drive if=none,id=disk0,file=disk.qcow2,node-name=drive0
  qmpc launch --detach --socket /tmp/vm.qmp -- -m 256 && qmpc -s /tmp/vm.qmp exec query-status)";

constexpr const char* kDemoFooter = R"(
Creates a qcow2 disk filled with data patterns (qemu-img, qemu-io), launches a bare QEMU with it, mirrors it
to a new image with a progress bar, pivots once the job is ready, verifies the copy with 'qemu-img compare',
prints the job's timeline (ready after N ms, pivot sent N us after ready, completed after N ms) and removes
everything (or keeps the files in --keep DIR). Needs qemu-system-x86_64, qemu-img and qemu-io.
Exit: 0 only when the copy verified.)";

// Subcommand help lists only the command's own options; these apply to every command.
constexpr const char* kGlobalOptionsHelp = R"(
Global options (before or after the command name):
  -s, --socket ADDR          QMP monitor: PATH, unix:PATH or tcp:HOST:PORT (default: $QMPC_SOCKET)
  --connect-timeout SEC      keep retrying a missing or refused socket this long (default 10)
  --timeout SEC              deadline for each command's reply (default 30)
  --log-level LEVEL          trace|debug|info|warn|error|off, to stderr (default warn)
  --trace FILE               write a transcript of the session to a new FILE (mode 0600)
  --trace-overwrite          let --trace replace an existing regular FILE
  --version                  print the version and exit
Exit codes: 0 done, 1 failed, 2 usage, 3 connection/protocol, 4 deadline, 130 interrupted (see 'qmpc --help').
)";

constexpr const char* kTraceHelp = R"(Work with transcripts of QMP traffic (written by --trace, or imported from libvirt's debug log)
Usage: qmpc trace ACTION ARGS...

Actions:
  import-libvirt LOG [--monitor 0xADDR] [-o FILE] [--overwrite]
                          turn a libvirt debug log into transcripts, one per monitor and connection
                          (<LOG stem>-<monitor>[-<connection>].qmpt here, or FILE when there is one);
                          new files only, unless --overwrite
  timeline FILE           per-job states and latencies (ready after, pivot sent after ready, completed after)
  check FILE              findings, one per line (e.g. a pivot sent before the job said it was ready)
  replay FILE --listen PATH [--paced]
                          serve the recording to one client on a UNIX socket, checking it sends the same
Every action takes --max-line-bytes N: the longest line read (files; replay: the client), default 10489856.

Exit codes: 0 done (check: no error found; replay: the client did what the recorded one did); 1 failed (a file
could not be read or written, check found errors, replay diverged); 2 bad arguments.

Examples:
  qmpc -s /run/vm.qmp --trace run.qmpt mirror --device drive0 --target /srv/new.qcow2 --pivot
  qmpc trace timeline run.qmpt
  qmpc trace import-libvirt /var/log/libvirt/libvirtd.log -o blockcopy.qmpt && qmpc trace check blockcopy.qmpt
)";

constexpr const char* kTraceActions[] = {"import-libvirt", "timeline", "check", "replay"};

constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error", "off"};

CLI::Validator size_transform() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::string error;
        auto v = parse_size(text, &error);
        if (!v) return error;
        text = std::to_string(*v);
        return {};
      },
      "");
}

// Seconds: a non-negative number (positive when `positive`), e.g. 10 or 0.5.
CLI::Validator seconds_check(bool positive) {
  return CLI::Validator(
      [positive](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !(v == v) || v > 1e9)
          return "'" + text + "' is not a number of seconds (e.g. 10 or 0.5)";
        if (v < 0 || (positive && v == 0)) return std::string("must be ") + (positive ? "more than 0" : "0 or more") + " seconds";
        return {};
      },
      "");
}

// A whole number of at least 1.
CLI::Validator count_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
          return "'" + text + "' is not a whole number";
        if (text.find_first_not_of('0') == std::string::npos) return "must be at least 1";
        return {};
      },
      "");
}

// A validator without the description CLI11 would append to the option's type name in --help (the help text
// names the allowed values itself).
CLI::Validator quiet(CLI::Validator v) {
  v.description("");
  return v;
}

// The deepest command that was parsed (the app itself when none).
const CLI::App* active_command(const CLI::App& app) {
  const CLI::App* cur = &app;
  while (true) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) return cur;
    cur = subs.front();
  }
}

std::string command_path(const CLI::App* cmd) {
  std::string path;
  for (const CLI::App* c = cmd; c != nullptr; c = c->get_parent())
    path = c->get_parent() ? " " + c->get_name() + path : "qmpc" + path;
  return path;
}

std::vector<std::string> option_names(const CLI::App* cmd) {
  std::vector<std::string> names;
  for (const CLI::App* c = cmd; c != nullptr; c = c->get_parent()) {
    for (const CLI::Option* o : c->get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
  }
  return names;
}

std::vector<std::string> command_names() { return {"exec", "events", "mirror", "launch", "demo", "trace"}; }

// `qmpc trace ACTION ARGS...`: everything after the action belongs to the action, unparsed.
ParseOutcome parse_trace(const std::vector<std::string>& args) {
  ParseOutcome outcome;
  if (args.size() < 2 || args[1] == "-h" || args[1] == "--help") {
    outcome.out = kTraceHelp;
    if (args.size() < 2) {
      outcome.out.clear();
      outcome.exit_code = 2;
      outcome.err = "qmpc trace: an action is required (import-libvirt, timeline, check, replay); see 'qmpc trace "
                    "--help'\n";
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

// The words CLI11 did not expect, from its ExtrasError text ("...not expected: a b").
std::vector<std::string> extras_from(const std::string& what) {
  std::vector<std::string> words;
  const auto colon = what.find(": ");
  if (colon == std::string::npos) return words;
  std::istringstream in(what.substr(colon + 2));
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// The index of the first word that is neither an option nor the value of a global option: where a command name
// belongs (args.size() when there is none).
std::size_t first_word_index(const std::vector<std::string>& args) {
  static const std::vector<std::string> with_value{"-s", "--socket", "--connect-timeout", "--timeout", "--log-level",
                                                   "--trace"};
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") return args.size();
    if (std::find(with_value.begin(), with_value.end(), args[i]) != with_value.end()) {
      ++i;
      continue;
    }
    if (!args[i].empty() && args[i][0] != '-') return i;
  }
  return args.size();
}

std::string first_word(const std::vector<std::string>& args) {
  const auto i = first_word_index(args);
  return i < args.size() ? args[i] : std::string();
}

// One line: "qmpc exec: unknown option --sokcet (did you mean --socket?); see 'qmpc exec --help'".
std::string usage_line(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  const CLI::App* cmd = active_command(app);
  std::string message;
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const auto extras = extras_from(what);
    const std::string first = extras.empty() ? std::string() : extras.front();
    if (!first.empty() && first[0] == '-') {
      std::string name = first.substr(0, first.find('='));
      message = "unknown option " + name;
      const auto guess = closest_match(name, option_names(cmd));
      if (!guess.empty()) message += " (did you mean " + guess + "?)";
    } else if (cmd == &app) {
      message = "unknown command '" + first + "'";
      const auto guess = closest_match(first, command_names());
      if (!guess.empty()) message += " (did you mean '" + guess + "'?)";
    } else {
      message = "unexpected argument '" + first + "'";
    }
  } else if (cmd == &app && !first_word(args).empty()) {
    const std::string word = first_word(args);
    message = "unknown command '" + word + "'";
    const auto guess = closest_match(word, command_names());
    if (!guess.empty()) message += " (did you mean '" + guess + "'?)";
  } else if (cmd == &app && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    message = "a command is required (exec, events, mirror, launch, demo, trace)";
  } else {
    message = lower_first(what);
    // CLI11's "--count: 1 required N missing" in plain words.
    const auto req = message.find(": 1 required ");
    if (req != std::string::npos && message.size() > 8 && message.compare(message.size() - 8, 8, " missing") == 0)
      message = message.substr(0, req) + " needs a value (" +
                message.substr(req + 13, message.size() - 8 - (req + 13)) + ")";
  }
  return command_path(cmd) + ": " + message + "; see '" + command_path(cmd) + " --help'";
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-s,--socket", g.socket, "QMP monitor address: PATH, unix:PATH or tcp:HOST:PORT [env: QMPC_SOCKET]")
      ->type_name("ADDR");
  app.add_option("--connect-timeout", g.connect_timeout_s,
                 "Keep retrying a missing or refused socket this long, in seconds (and wait as long, at least 1 s, for "
                 "QEMU's greeting)")
      ->type_name("SEC")
      ->check(seconds_check(false))
      ->capture_default_str();
  app.add_option("--timeout", g.timeout_s, "Deadline for each command's reply, in seconds (mirror: see its --timeout)")
      ->type_name("SEC")
      ->check(seconds_check(false))
      ->capture_default_str();
  app.add_option("--log-level", g.log_level, "Log to stderr from this level: trace|debug|info|warn|error|off")
      ->type_name("LEVEL")
      ->check(quiet(CLI::IsMember(std::vector<std::string>(std::begin(kLogLevels), std::end(kLogLevels)))))
      ->capture_default_str();
  app.add_option("--trace", g.trace_file,
                 "Write a transcript of the session to FILE, a new file of mode 0600, created once connected")
      ->type_name("FILE");
  app.add_flag("--trace-overwrite", g.trace_overwrite, "Let --trace replace an existing regular FILE");
}

struct Flags {
  bool pivot = false, finish = false, wait = false, detach = false;
  bool progress = false, no_progress = false;
  double job_timeout = 0, for_s = 0;
  std::uint64_t count = 0;
  std::uint64_t bandwidth = 0, granularity = 0, buf_size = 0;
};

void add_mirror(CLI::App& app, MirrorOptions& m, Flags& f) {
  auto* c = app.add_subcommand("mirror", "Start a drive-mirror or blockdev-mirror and follow it to the end you choose");
  c->footer(kMirrorFooter);
  c->add_option("--device", m.device, "Device or node name of the disk to copy")->type_name("DEV")->required();
  c->add_option("--target", m.target, "Target file path (drive-mirror) or node name (with --blockdev)")
      ->type_name("TARGET")
      ->required();
  c->add_flag("--blockdev", m.blockdev, "Use blockdev-mirror; TARGET is an existing node name");
  c->add_option("--format", m.format, "Target image format for drive-mirror (e.g. qcow2, raw)")
      ->type_name("FMT");
  c->add_option("--sync", m.sync, "What to copy: full|top|none")
      ->type_name("MODE")
      ->check(quiet(CLI::IsMember({"full", "top", "none"})))
      ->capture_default_str();
  c->add_flag("--reuse-external", m.reuse_external, "TARGET exists already (drive-mirror mode 'existing')");
  c->add_option("--job-id", m.job_id, "Job id (default: qmpc-mirror-PID)")->type_name("ID");
  c->add_option("--bandwidth", f.bandwidth, "Speed limit in bytes per second (K, M, G suffixes); 0 for none")
      ->type_name("BYTES")
      ->transform(size_transform());
  c->add_option("--granularity", f.granularity, "Dirty bitmap granularity in bytes (a power of 2, 512 to 64M)")
      ->type_name("BYTES")
      ->transform(size_transform());
  c->add_option("--buf-size", f.buf_size, "Copy buffer size in bytes")->type_name("BYTES")->transform(size_transform());
  const std::vector<std::string> policies{"report", "stop", "enospc", "ignore"};
  c->add_option("--on-source-error", m.on_source_error, "On a read error: report|stop|enospc|ignore")
      ->type_name("P")
      ->check(quiet(CLI::IsMember(policies)));
  c->add_option("--on-target-error", m.on_target_error, "On a write error: report|stop|enospc|ignore")
      ->type_name("P")
      ->check(quiet(CLI::IsMember(policies)));
  c->add_flag("--write-blocking", m.write_blocking, "Copy guest writes to the target synchronously (copy-mode)");
  c->add_flag("--manual-finalize", m.manual_finalize,
              "Turn auto-finalize and auto-dismiss off; qmpc finalizes and dismisses the job itself");
  c->add_option("--retry-errors", m.retry_errors,
                "Resume a job paused by an I/O error up to N times (default 0: abort it)")
      ->type_name("N");
  c->add_flag("--pivot", f.pivot, "Wait until ready, complete (pivot to TARGET), wait until done");
  c->add_flag("--finish", f.finish, "Wait until ready, then cancel softly (copy without pivot)");
  c->add_flag("--wait", f.wait, "Wait until ready and exit, leaving the job mirroring (default)");
  c->add_flag("--detach", f.detach, "Exit as soon as the job runs");
  c->add_option("--timeout", f.job_timeout, "Deadline for the whole job in seconds; on expiry it is aborted (exit 4)")
      ->type_name("SEC")
      ->check(seconds_check(true));
  c->add_option("--abort-grace", m.abort_grace_s,
                "After an abort, wait this long for QEMU to end the job, then exit anyway")
      ->type_name("SEC")
      ->check(seconds_check(false))
      ->capture_default_str();
  c->add_flag("--progress", f.progress, "Show a progress bar on stderr even when it is no terminal");
  c->add_flag("--no-progress", f.no_progress, "Never show a progress bar");
  c->add_flag("--json", m.json, "One JSON object per line on stdout: state changes, progress, final summary");
}

// Conflicts between mirror options, as one line ("" when there is none).
std::string mirror_conflict(const MirrorOptions& m, const Flags& f) {
  const int ends = int(f.pivot) + int(f.finish) + int(f.wait) + int(f.detach);
  if (ends > 1) return "--pivot, --finish, --wait and --detach exclude each other: choose one way to end";
  if (f.progress && f.no_progress) return "--progress and --no-progress exclude each other";
  if (m.blockdev && !m.format.empty())
    return "--format is for drive-mirror; with --blockdev the target node already has its format";
  if (m.blockdev && m.reuse_external) return "--reuse-external is for drive-mirror; a --blockdev target always exists";
  return {};
}

void finish_mirror(const CLI::App& app, MirrorOptions& m, const Flags& f) {
  const CLI::App* c = app.get_subcommand("mirror");
  if (f.pivot) m.end = MirrorEnd::pivot;
  if (f.finish) m.end = MirrorEnd::finish;
  if (f.detach) m.end = MirrorEnd::detach;
  if (c->count("--bandwidth")) m.bandwidth = f.bandwidth;
  if (c->count("--granularity")) m.granularity = f.granularity;
  if (c->count("--buf-size")) m.buf_size = f.buf_size;
  if (c->count("--timeout")) m.job_timeout_s = f.job_timeout;
  if (f.progress) m.progress = true;
  if (f.no_progress) m.progress = false;
}

}  // namespace

ParseOutcome parse_command_line(const std::vector<std::string>& args, const char* socket_env) {
  // Global options before `trace` are accepted and ignored: the transcript tools do not talk to QEMU.
  if (const auto i = first_word_index(args); i < args.size() && args[i] == "trace")
    return parse_trace(std::vector<std::string>(args.begin() + static_cast<std::ptrdiff_t>(i), args.end()));
  CommandLine line;
  Flags flags;
  CLI::App app(kMainDescription, "qmpc");
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(), "Print the version and exit");
  app.set_help_all_flag("--help-all", "Print help for every command and exit");
  app.footer(kMainFooter);
  app.get_formatter()->column_width(34);
  add_global_options(app, line.global);

  auto* exec = app.add_subcommand("exec", "Run one QMP command and print its result as JSON");
  exec->footer(kExecFooter);
  exec->add_option("COMMAND", line.exec.command, "QMP command name, e.g. query-status")->required();
  exec->add_option("ARGS", line.exec.words, "KEY=VALUE words, or one JSON object")->type_name("ARG");
  exec->add_flag("--pretty", line.exec.pretty, "Indent the JSON result");

  auto* events = app.add_subcommand("events", "Print QEMU's events as JSON lines until a count, a time or shutdown");
  events->footer(kEventsFooter);
  events->add_option("--name", line.events.names, "Only events with this name (repeatable)")->type_name("NAME");
  events->add_option("--count", flags.count, "Stop after N events")->type_name("N")->check(count_check());
  events->add_option("--for", flags.for_s, "Stop after SEC seconds")->type_name("SEC")->check(seconds_check(false));

  add_mirror(app, line.mirror, flags);

  auto* launch = app.add_subcommand("launch", "Start a bare QEMU with a QMP monitor and print its pid and socket");
  launch->footer(kLaunchFooter);
  launch->add_option("--qemu", line.launch.qemu, "QEMU binary")->type_name("BIN")->capture_default_str();
  launch->add_option("--socket", line.launch.socket,
                     "Monitor socket path (default: qmp.sock in a new private directory)")
      ->type_name("PATH");
  launch->add_flag("--detach", line.launch.detach, "Exit once QEMU is up, leaving it running");
  launch->add_option("QEMU-ARGS", line.launch.qemu_args, "Arguments for QEMU, after --")->type_name("ARG");

  auto* demo = app.add_subcommand("demo", "Mirror a scratch disk end to end: create, launch, mirror, pivot, verify");
  demo->footer(kDemoFooter);
  demo->add_option("--size", line.demo.size, "Disk size (K, M, G suffixes)")
      ->type_name("SIZE")
      ->transform(size_transform())
      ->default_str("256M");
  demo->add_option("--keep", line.demo.keep_dir, "Keep the images and logs in DIR instead of removing them")
      ->type_name("DIR");
  demo->add_option("--qemu", line.demo.qemu, "QEMU binary")->type_name("BIN")->capture_default_str();

  // Listed for --help; `qmpc trace ...` itself is parsed by parse_trace().
  app.add_subcommand("trace", "Work with transcripts: import-libvirt, timeline, check, replay (qmpc trace --help)");

  std::vector<std::string> argv(args.rbegin(), args.rend());  // CLI11 takes them reversed
  ParseOutcome outcome;
  try {
    app.parse(argv);
  } catch (const CLI::CallForHelp&) {
    outcome.out = app.help();
    if (active_command(app) != &app) outcome.out += kGlobalOptionsHelp;
    return outcome;
  } catch (const CLI::CallForAllHelp&) {
    outcome.out = app.help("", CLI::AppFormatMode::All);
    return outcome;
  } catch (const CLI::CallForVersion& e) {
    outcome.out = std::string(e.what()) + "\n";
    return outcome;
  } catch (const CLI::ParseError& e) {
    outcome.exit_code = 2;
    outcome.err = usage_line(app, e, args) + "\n";
    return outcome;
  }

  auto usage_error = [&](const std::string& cmd, const std::string& message) {
    outcome.exit_code = 2;
    outcome.err = "qmpc " + cmd + ": " + message + "; see 'qmpc " + cmd + " --help'\n";
    return outcome;
  };

  line.global.socket_given = app.count("--socket") > 0;
  if (!line.global.socket_given && socket_env) line.global.socket = socket_env;

  if (exec->parsed()) {
    line.command = Command::exec;
    std::string error;
    auto json = build_arguments(line.exec.words, &error);
    if (!json) return usage_error("exec", error);
    line.exec.arguments_json = std::move(*json);
  } else if (events->parsed()) {
    line.command = Command::events;
    if (events->count("--count")) line.events.count = flags.count;
    if (events->count("--for")) line.events.for_s = flags.for_s;
  } else if (app.get_subcommand("mirror")->parsed()) {
    line.command = Command::mirror;
    if (auto conflict = mirror_conflict(line.mirror, flags); !conflict.empty()) return usage_error("mirror", conflict);
    finish_mirror(app, line.mirror, flags);
  } else if (launch->parsed()) {
    line.command = Command::launch;
    if (line.launch.socket.empty() && line.global.socket_given) line.launch.socket = line.global.socket;
  } else if (demo->parsed()) {
    line.command = Command::demo;
    if (line.demo.size == 0) return usage_error("demo", "--size must be more than 0");
  }

  const bool needs_monitor =
      line.command == Command::exec || line.command == Command::events || line.command == Command::mirror;
  if (needs_monitor && line.global.socket.empty())
    return usage_error(to_string(line.command),
                       "no monitor address: give -s/--socket ADDR (PATH, unix:PATH or tcp:HOST:PORT) or set "
                       "QMPC_SOCKET");
  outcome.line = std::move(line);
  return outcome;
}

}  // namespace qmpc::cli
