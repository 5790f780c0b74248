// What the command line asked for, after parsing and validation. Plain data: no sockets, no CLI11 types.
#pragma once

#include "cli/block_job_options.hpp"
#include "qmp/event_match.hpp"
#include "trace/trace_request.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qmpc::cli {

enum class Command { exec, run, hmp, events, mirror, commit, stream, backup, job, launch, proxy, demo, trace, shell };

struct GlobalOptions {
  std::string socket;                // -s/--socket, else $QMPC_SOCKET ("" when neither)
  bool socket_given = false;         // -s/--socket was on the command line (not taken from the environment)
  double connect_timeout_s = 10;     // keep retrying a missing or refused socket this long
  double timeout_s = 30;             // deadline of each command's reply
  std::string log_level = "warn";    // trace|debug|info|warn|error|off
  std::string trace_file;            // --trace FILE ("" for none)
  bool trace_overwrite = false;      // --trace-overwrite: an existing regular FILE may be replaced
};

struct ExecOptions {
  std::string command;               // the command name (from a raw object given as COMMAND, its "execute")
  std::vector<std::string> words;    // KEY=VALUE words, or one JSON object
  std::string arguments_json;        // built from `words` ("" for none)
  bool oob = false;                  // a raw object with "exec-oob"
  bool from_stdin = false;           // COMMAND was "-": one raw command object is read from stdin
  bool pretty = false;
  bool full = false;                 // print the whole reply object, errors included
  std::string wait_event;            // --wait-event PATTERN ("" for none)
  std::vector<qmp::DataCondition> match;  // --match PATH=VALUE
  std::optional<double> wait_for_s;  // --wait-for SEC (default: --timeout)
  bool no_validate = false;          // --no-validate: the arguments are not checked against QEMU's schema
};

struct RunOptions {
  std::string file = "-";            // the script, "-" for stdin
  bool keep_going = false;
  bool no_validate = false;          // --no-validate
};

struct HmpOptions {
  std::vector<std::string> words;    // joined with spaces
  std::string command_line;
};

struct ShellOptions {
  bool pretty = false;               // -p/--pretty: indented JSON
  bool hmp_mode = false;             // -H/--hmp: every line is HMP text
  bool verbose = false;              // -v/--verbose: echo each command sent
  bool no_validate = false;          // --no-validate: arguments are not checked against QEMU's schema
};

struct EventsOptions {
  std::vector<std::string> names;    // name patterns ('*', '?'); empty: every event
  bool no_case = false;              // names compared without regard to ASCII case
  std::vector<qmp::DataCondition> match;  // --match PATH=VALUE
  bool timestamp = false;            // each line starts with QEMU's timestamp, readable
  std::optional<std::uint64_t> count;
  std::optional<double> for_s;
};

enum class MirrorEnd { wait, pivot, finish, detach };

struct MirrorOptions {
  std::string device;
  std::string target;
  bool blockdev = false;             // blockdev-mirror (target is a node name) instead of drive-mirror (a path)
  std::string format;                // drive-mirror only
  std::string sync = "full";         // full|top|none
  bool reuse_external = false;       // drive-mirror mode "existing"
  std::string job_id;                // "" : qmpc picks one
  std::string attach;                // --attach ID: take over the running mirror ID instead of starting one
  std::optional<std::uint64_t> bandwidth;    // bytes per second
  std::optional<std::uint64_t> granularity;
  std::optional<std::uint64_t> buf_size;
  std::string on_source_error;       // "" or report|stop|enospc|ignore
  std::string on_target_error;
  bool write_blocking = false;       // copy-mode write-blocking
  bool manual_finalize = false;      // auto-finalize and auto-dismiss off; qmpc finalizes and dismisses
  std::uint32_t retry_errors = 0;    // resume a job paused by an error up to N times
  MirrorEnd end = MirrorEnd::wait;
  std::optional<double> job_timeout_s;  // deadline for the whole job (abort on expiry)
  double abort_grace_s = 5;          // after an abort (--timeout, SIGINT): how long QEMU may take to end the job
  std::optional<bool> progress;      // nullopt: a progress bar when stderr is a terminal
  bool json = false;
};

struct LaunchOptions {
  std::string qemu = "qemu-system-x86_64";
  std::string socket;                // "" : qmp.sock in a new private directory
  bool detach = false;
  std::string proxy;                 // --proxy PATH: serve `qmpc proxy` for the monitor on PATH, in this process
  std::vector<std::string> qemu_args;
};

struct DemoOptions {
  std::uint64_t size = 256ull << 20;
  std::string keep_dir;              // "" : remove everything at the end
  std::string qemu = "qemu-system-x86_64";
};

// qmpc trace ACTION ...: the transcript tools' own request (plain data).
using TraceOptions = trace::TraceRequest;

struct ProxyOptions {
  std::vector<std::string> listen;   // UNIX socket paths clients connect to
  std::uint64_t client_queue = 4ull << 20;  // bytes queued for one client before it is disconnected
};

struct CommandLine {
  Command command = Command::exec;
  GlobalOptions global;
  ExecOptions exec;
  RunOptions run;
  HmpOptions hmp;
  EventsOptions events;
  MirrorOptions mirror;
  CommitOptions commit;
  StreamOptions stream;
  BackupOptions backup;
  JobCommandOptions job;
  LaunchOptions launch;
  DemoOptions demo;
  TraceOptions trace;
  ProxyOptions proxy;
  ShellOptions shell;
};

const char* to_string(Command c) noexcept;
const char* to_string(MirrorEnd e) noexcept;

}  // namespace qmpc::cli
