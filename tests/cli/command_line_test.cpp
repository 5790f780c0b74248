#include "cli/command_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using qmpc::cli::Command;
using qmpc::cli::JobEnd;
using qmpc::cli::MirrorEnd;
using qmpc::cli::parse_command_line;
using qmpc::cli::ParseOutcome;

ParseOutcome parse(std::vector<std::string> args, const char* env = nullptr) { return parse_command_line(args, env); }

qmpc::cli::CommandLine ok(std::vector<std::string> args, const char* env = nullptr) {
  auto r = parse(args, env);
  EXPECT_TRUE(r.line.has_value()) << r.err;
  EXPECT_EQ(r.err, "");
  return r.line.value_or(qmpc::cli::CommandLine{});
}

// A usage error: exit 2, exactly one line on stderr, nothing on stdout.
std::string usage_error(std::vector<std::string> args, const char* env = "/tmp/x.sock") {
  auto r = parse(args, env);
  EXPECT_FALSE(r.line.has_value());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
  return r.err;
}

TEST(CommandLine, ExecWithGlobalOptionsBeforeOrAfterTheCommand) {
  for (auto args : {std::vector<std::string>{"-s", "/run/vm.qmp", "--timeout", "5", "exec", "query-status"},
                    std::vector<std::string>{"exec", "query-status", "-s", "/run/vm.qmp", "--timeout", "5"},
                    std::vector<std::string>{"exec", "--socket=/run/vm.qmp", "query-status", "--timeout=5"}}) {
    auto line = ok(args);
    EXPECT_EQ(line.command, Command::exec);
    EXPECT_EQ(line.exec.command, "query-status");
    EXPECT_EQ(line.exec.arguments_json, "");
    EXPECT_EQ(line.global.socket, "/run/vm.qmp");
    EXPECT_TRUE(line.global.socket_given);
    EXPECT_EQ(line.global.timeout_s, 5);
    EXPECT_EQ(line.global.connect_timeout_s, 10);
    EXPECT_EQ(line.global.log_level, "warn");
    EXPECT_FALSE(line.exec.pretty);
  }
}

TEST(CommandLine, ExecArgumentsAsKeyValueOrJson) {
  auto kv = ok({"-s", "x", "exec", "block-job-set-speed", "device=job0", "speed=0", "--pretty"});
  EXPECT_EQ(kv.exec.arguments_json, R"({"device":"job0","speed":0})");
  EXPECT_TRUE(kv.exec.pretty);
  auto js = ok({"-s", "x", "exec", "blockdev-add", R"({"driver":"null-co","node-name":"n0"})"});
  EXPECT_EQ(js.exec.arguments_json, R"({"driver":"null-co","node-name":"n0"})");
  auto neg = ok({"-s", "x", "exec", "foo", "n=-1"});
  EXPECT_EQ(neg.exec.arguments_json, R"({"n":-1})");
}

TEST(CommandLine, SocketFromTheEnvironmentUnlessGiven) {
  auto env = ok({"exec", "query-status"}, "/from/env");
  EXPECT_EQ(env.global.socket, "/from/env");
  EXPECT_FALSE(env.global.socket_given);
  auto given = ok({"-s", "tcp:127.0.0.1:4444", "exec", "query-status"}, "/from/env");
  EXPECT_EQ(given.global.socket, "tcp:127.0.0.1:4444");
}

TEST(CommandLine, MissingSocketIsAUsageErrorThatSaysWhatToDo) {
  auto err = usage_error({"exec", "query-status"}, nullptr);
  EXPECT_NE(err.find("-s/--socket"), std::string::npos) << err;
  EXPECT_NE(err.find("QMPC_SOCKET"), std::string::npos) << err;
}

TEST(CommandLine, GlobalOptionValues) {
  auto line = ok({"--connect-timeout", "0.5", "--log-level", "debug", "--trace", "/tmp/t.jsonl", "exec", "x"},
                 "/s");
  EXPECT_EQ(line.global.connect_timeout_s, 0.5);
  EXPECT_EQ(line.global.log_level, "debug");
  EXPECT_EQ(line.global.trace_file, "/tmp/t.jsonl");
  EXPECT_NE(usage_error({"--log-level", "loud", "exec", "x"}).find("loud"), std::string::npos);
  EXPECT_EQ(usage_error({"--timeout", "-1", "exec", "x"}),
            "qmpc exec: --timeout: must be 0 or more seconds; see 'qmpc exec --help'\n");
  EXPECT_EQ(usage_error({"--timeout", "soon", "exec", "x"}),
            "qmpc exec: --timeout: 'soon' is not a number of seconds (e.g. 10 or 0.5); see 'qmpc exec --help'\n");
}

TEST(CommandLine, Events) {
  auto all = ok({"events"}, "/s");
  EXPECT_EQ(all.command, Command::events);
  EXPECT_TRUE(all.events.names.empty());
  EXPECT_FALSE(all.events.count.has_value());
  EXPECT_FALSE(all.events.for_s.has_value());
  auto some = ok({"events", "--name", "STOP", "--name", "RESUME", "--count", "3", "--for", "2.5"}, "/s");
  EXPECT_EQ(some.events.names, (std::vector<std::string>{"STOP", "RESUME"}));
  EXPECT_EQ(some.events.count, 3u);
  EXPECT_EQ(some.events.for_s, 2.5);
  EXPECT_EQ(usage_error({"events", "--count", "0"}),
            "qmpc events: --count: must be at least 1; see 'qmpc events --help'\n");
  EXPECT_EQ(usage_error({"events", "--count"}),
            "qmpc events: --count needs a value (N); see 'qmpc events --help'\n");
  usage_error({"events", "--count", "2x"});
  usage_error({"events", "--for", "-3"});
}

TEST(CommandLine, MirrorDefaults) {
  auto line = ok({"mirror", "--device", "drive0", "--target", "/tmp/t.qcow2"}, "/s");
  const auto& m = line.mirror;
  EXPECT_EQ(line.command, Command::mirror);
  EXPECT_EQ(m.device, "drive0");
  EXPECT_EQ(m.target, "/tmp/t.qcow2");
  EXPECT_FALSE(m.blockdev);
  EXPECT_EQ(m.sync, "full");
  EXPECT_EQ(m.end, MirrorEnd::wait);
  EXPECT_FALSE(m.bandwidth || m.granularity || m.buf_size || m.job_timeout_s || m.progress);
  EXPECT_EQ(m.retry_errors, 0u);
  EXPECT_FALSE(m.json || m.manual_finalize || m.write_blocking || m.reuse_external);
  EXPECT_EQ(line.global.timeout_s, 30);
}

TEST(CommandLine, MirrorEveryOption) {
  auto line = ok({"mirror", "--device", "d", "--target", "/t", "--format", "raw", "--sync", "top",
                  "--reuse-external", "--job-id", "j1", "--bandwidth", "64M", "--granularity", "64K", "--buf-size",
                  "1048576", "--on-source-error", "stop", "--on-target-error", "enospc", "--write-blocking",
                  "--manual-finalize", "--retry-errors", "2", "--pivot", "--timeout", "60", "--no-progress",
                  "--json"},
                 "/s");
  const auto& m = line.mirror;
  EXPECT_EQ(m.format, "raw");
  EXPECT_EQ(m.sync, "top");
  EXPECT_TRUE(m.reuse_external);
  EXPECT_EQ(m.job_id, "j1");
  EXPECT_EQ(m.bandwidth, 64u << 20);
  EXPECT_EQ(m.granularity, 64u << 10);
  EXPECT_EQ(m.buf_size, 1048576u);
  EXPECT_EQ(m.on_source_error, "stop");
  EXPECT_EQ(m.on_target_error, "enospc");
  EXPECT_TRUE(m.write_blocking);
  EXPECT_TRUE(m.manual_finalize);
  EXPECT_EQ(m.retry_errors, 2u);
  EXPECT_EQ(m.end, MirrorEnd::pivot);
  EXPECT_EQ(m.job_timeout_s, 60.0);
  EXPECT_EQ(line.global.timeout_s, 30);  // the job deadline is not the per-command one
  EXPECT_EQ(m.progress, false);
  EXPECT_TRUE(m.json);
}

TEST(CommandLine, MirrorEndModesAndTimeouts) {
  EXPECT_EQ(ok({"mirror", "--device", "d", "--target", "t", "--finish"}, "/s").mirror.end, MirrorEnd::finish);
  EXPECT_EQ(ok({"mirror", "--device", "d", "--target", "t", "--detach"}, "/s").mirror.end, MirrorEnd::detach);
  EXPECT_EQ(ok({"mirror", "--device", "d", "--target", "t", "--wait"}, "/s").mirror.end, MirrorEnd::wait);
  auto bd = ok({"--timeout", "7", "mirror", "--blockdev", "--device", "d", "--target", "tgt", "--progress"}, "/s");
  EXPECT_TRUE(bd.mirror.blockdev);
  EXPECT_EQ(bd.global.timeout_s, 7);
  EXPECT_FALSE(bd.mirror.job_timeout_s.has_value());
  EXPECT_EQ(bd.mirror.progress, true);
}

TEST(CommandLine, MirrorUsageErrors) {
  EXPECT_NE(usage_error({"mirror", "--target", "t"}).find("--device"), std::string::npos);
  EXPECT_NE(usage_error({"mirror", "--device", "d"}).find("--target"), std::string::npos);
  usage_error({"mirror", "--device", "d", "--target", "t", "--pivot", "--finish"});
  usage_error({"mirror", "--device", "d", "--target", "t", "--wait", "--detach"});
  usage_error({"mirror", "--device", "d", "--target", "t", "--blockdev", "--format", "raw"});
  usage_error({"mirror", "--device", "d", "--target", "t", "--sync", "sideways"});
  usage_error({"mirror", "--device", "d", "--target", "t", "--on-target-error", "panic"});
  usage_error({"mirror", "--device", "d", "--target", "t", "--timeout", "0"});
  usage_error({"mirror", "--device", "d", "--target", "t", "--progress", "--no-progress"});
  auto size = usage_error({"mirror", "--device", "d", "--target", "t", "--bandwidth", "10X"});
  EXPECT_NE(size.find("10X"), std::string::npos) << size;
}

TEST(CommandLine, Launch) {
  auto line = ok({"launch", "--detach", "--", "-m", "128", "-drive", "if=none,id=d0"});
  EXPECT_EQ(line.command, Command::launch);
  EXPECT_TRUE(line.launch.detach);
  EXPECT_EQ(line.launch.qemu, "qemu-system-x86_64");
  EXPECT_EQ(line.launch.socket, "");
  EXPECT_EQ(line.launch.qemu_args, (std::vector<std::string>{"-m", "128", "-drive", "if=none,id=d0"}));
  auto sock = ok({"launch", "--qemu", "/usr/bin/qemu-system-i386", "--socket", "/tmp/q.sock"}, "/env/ignored");
  EXPECT_EQ(sock.launch.socket, "/tmp/q.sock");
  EXPECT_EQ(sock.launch.qemu, "/usr/bin/qemu-system-i386");
  EXPECT_FALSE(sock.launch.detach);
  EXPECT_EQ(ok({"launch"}, "/env/ignored").launch.socket, "");
  EXPECT_EQ(ok({"-s", "/tmp/g.sock", "launch"}).launch.socket, "/tmp/g.sock");
}

TEST(CommandLine, Demo) {
  auto line = ok({"demo"});
  EXPECT_EQ(line.command, Command::demo);
  EXPECT_EQ(line.demo.size, 256u << 20);
  EXPECT_EQ(line.demo.keep_dir, "");
  auto sized = ok({"demo", "--size", "32M", "--keep", "/tmp/d"});
  EXPECT_EQ(sized.demo.size, 32u << 20);
  EXPECT_EQ(sized.demo.keep_dir, "/tmp/d");
  usage_error({"demo", "--size", "0"});
}

TEST(CommandLine, TypoGetsOneLineWithAGuess) {
  auto opt = usage_error({"exec", "query-status", "--sokcet", "/x"});
  EXPECT_EQ(opt, "qmpc exec: unknown option --sokcet (did you mean --socket?); see 'qmpc exec --help'\n");
  auto mirror = usage_error({"mirror", "--device", "d", "--target", "t", "--pviot"});
  EXPECT_EQ(mirror, "qmpc mirror: unknown option --pviot (did you mean --pivot?); see 'qmpc mirror --help'\n");
  auto cmd = usage_error({"exce", "query-status"});
  EXPECT_NE(cmd.find("did you mean 'exec'?"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("see 'qmpc --help'"), std::string::npos) << cmd;
}

TEST(CommandLine, MissingArgumentsGetOneLine) {
  EXPECT_NE(usage_error({}).find("a command is required"), std::string::npos);
  auto exec = usage_error({"exec"});
  EXPECT_NE(exec.find("COMMAND"), std::string::npos) << exec;
  EXPECT_NE(exec.find("see 'qmpc exec --help'"), std::string::npos) << exec;
  auto val = usage_error({"exec", "x", "--timeout"});
  EXPECT_NE(val.find("--timeout"), std::string::npos) << val;
  auto kv = usage_error({"exec", "x", "device"});
  EXPECT_EQ(kv, "qmpc exec: expected KEY=VALUE, got 'device'; see 'qmpc exec --help'\n");
}

TEST(CommandLine, HelpAndVersionGoToStdoutWithExitZero) {
  auto main_help = parse({"--help"});
  EXPECT_FALSE(main_help.line);
  EXPECT_EQ(main_help.exit_code, 0);
  EXPECT_EQ(main_help.err, "");
  for (const char* s : {"exec", "events", "mirror", "launch", "demo", "Exit codes", "QMPC_SOCKET", "--socket",
                        "--connect-timeout", "--timeout", "--log-level", "--version", "--trace", "130"})
    EXPECT_NE(main_help.out.find(s), std::string::npos) << s;

  auto version = parse({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, qmpc::cli::version_text() + "\n");
  EXPECT_EQ(version.out.rfind("qmpc ", 0), 0u);

  const std::vector<std::pair<std::string, std::vector<std::string>>> per_command = {
      {"exec", {"COMMAND", "KEY=VALUE", "--pretty", "qmp-shell"}},
      {"events", {"--name", "--count", "--for", "SHUTDOWN"}},
      {"mirror", {"--device", "--target", "--blockdev", "--format", "--sync", "--reuse-external", "--job-id",
                  "--bandwidth", "--granularity", "--buf-size", "--on-source-error", "--on-target-error",
                  "--write-blocking", "--manual-finalize", "--retry-errors", "--pivot", "--finish", "--wait",
                  "--detach", "--timeout", "--progress", "--no-progress", "--json", "pivot_us", "130"}},
      {"launch", {"--qemu", "--socket", "--detach", "QEMU-ARGS", "\"pid\""}},
      {"demo", {"--size", "--keep", "qemu-img compare"}},
  };
  for (const auto& [cmd, words] : per_command) {
    auto help = parse({cmd, "--help"});
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_FALSE(help.line) << cmd;
    EXPECT_NE(help.out.find("qmpc " + cmd), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("--socket"), std::string::npos) << cmd << ": global options are listed too";
    for (const auto& w : words) EXPECT_NE(help.out.find(w), std::string::npos) << cmd << ": " << w;
  }
}

}  // namespace

namespace {

TEST(CommandLineTrace, EachActionIsASubcommandWithItsOptions) {
  auto line = ok({"trace", "import-libvirt", "libvirtd.log", "--monitor", "0x7f", "-o", "out.qmpt", "--overwrite"});
  EXPECT_EQ(line.command, Command::trace);
  EXPECT_EQ(line.trace.action, trace::TraceAction::import_libvirt);
  EXPECT_EQ(line.trace.file, "libvirtd.log");
  EXPECT_EQ(line.trace.monitor, "0x7f");
  EXPECT_EQ(line.trace.output, "out.qmpt");
  EXPECT_TRUE(line.trace.overwrite);
  EXPECT_EQ(line.trace.max_line_bytes, qmp::kDefaultMaxLineBytes);
  EXPECT_FALSE(ok({"trace", "import-libvirt", "libvirtd.log"}).trace.output);
  EXPECT_EQ(ok({"trace", "import-libvirt", "libvirtd.log", "-o", "-"}).trace.output, "-");

  auto check = ok({"trace", "check", "run.qmpt", "--json", "--max-line-bytes", "4096"});
  EXPECT_EQ(check.trace.action, trace::TraceAction::check);
  EXPECT_EQ(check.trace.file, "run.qmpt");
  EXPECT_TRUE(check.trace.json);
  EXPECT_EQ(check.trace.max_line_bytes, 4096u);

  auto replay = ok({"trace", "replay", "run.qmpt", "--listen", "r.sock", "--ignore", "target", "--paced",
                    "--ignore", "job-id"});
  EXPECT_EQ(replay.trace.action, trace::TraceAction::replay);
  EXPECT_EQ(replay.trace.file, "run.qmpt");
  EXPECT_EQ(replay.trace.listen, "r.sock");
  EXPECT_TRUE(replay.trace.paced);
  EXPECT_EQ(replay.trace.ignored_arguments, (std::vector<std::string>{"target", "job-id"}));

  // Global options, before or after: accepted and ignored.
  auto after_globals = ok({"--log-level", "debug", "trace", "timeline", "run.qmpt", "-s", "/run/vm.qmp"});
  EXPECT_EQ(after_globals.trace.action, trace::TraceAction::timeline);
  EXPECT_EQ(after_globals.trace.file, "run.qmpt");
  EXPECT_EQ(ok({"trace", "show", "run.qmpt"}).trace.action, trace::TraceAction::show);
}

TEST(CommandLineTrace, HelpAndErrors) {
  auto help = parse({"trace", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* s : {"import-libvirt", "timeline", "check", "show", "replay", "--listen"})
    EXPECT_NE(help.out.find(s), std::string::npos) << s;
  EXPECT_EQ(usage_error({"trace", "timelin", "x"}),
            "qmpc trace: unknown action 'timelin' (did you mean 'timeline'?); see 'qmpc trace --help'\n");
  EXPECT_EQ(usage_error({"trace"}), "qmpc trace: an action is required (import-libvirt, timeline, check, show, "
                                    "replay); see 'qmpc trace --help'\n");
  EXPECT_EQ(usage_error({"trace", "check", "a.qmpt", "--jsn"}),
            "qmpc trace check: unknown option --jsn (did you mean --json?); see 'qmpc trace check --help'\n");
  EXPECT_EQ(usage_error({"trace", "timeline", "a.qmpt", "--listen", "x"}).rfind("qmpc trace timeline: unknown option "
                                                                               "--listen", 0),
            0u);
  EXPECT_NE(parse({"--help"}).out.find("trace"), std::string::npos);
}

TEST(CommandLine, Run) {
  auto line = ok({"-s", "/run/vm.qmp", "run", "test.qmpc", "--keep-going"});
  EXPECT_EQ(line.command, Command::run);
  EXPECT_EQ(line.run.file, "test.qmpc");
  EXPECT_TRUE(line.run.keep_going);
  auto stdin_line = ok({"-s", "/run/vm.qmp", "run"});
  EXPECT_EQ(stdin_line.run.file, "-");
  EXPECT_FALSE(stdin_line.run.keep_going);
  EXPECT_EQ(ok({"-s", "/run/vm.qmp", "run", "-"}).run.file, "-");
  EXPECT_NE(usage_error({"run", "a", "b"}).find("qmpc run: "), std::string::npos);
  EXPECT_NE(usage_error({"run", "x"}, nullptr).find("no monitor address"), std::string::npos);
}

TEST(CommandLine, Hmp) {
  auto line = ok({"-s", "/run/vm.qmp", "hmp", "info", "block"});
  EXPECT_EQ(line.command, Command::hmp);
  EXPECT_EQ(line.hmp.command_line, "info block");
  EXPECT_EQ(ok({"-s", "/run/vm.qmp", "hmp", "info block"}).hmp.command_line, "info block");
  EXPECT_NE(usage_error({"hmp"}).find("qmpc hmp: "), std::string::npos);
  EXPECT_EQ(usage_error({"hmp", " "}), "qmpc hmp: the HMP command line is empty; see 'qmpc hmp --help'\n");
}

TEST(CommandLine, ExecRawObjectsAndStdin) {
  auto raw = ok({"-s", "/run/vm.qmp", "exec", R"({"execute":"block-job-cancel","arguments":{"device":"j0"}})"});
  EXPECT_EQ(raw.exec.command, "block-job-cancel");
  EXPECT_EQ(raw.exec.arguments_json, R"({"device":"j0"})");
  EXPECT_FALSE(raw.exec.oob);
  auto oob = ok({"-s", "/run/vm.qmp", "exec", R"({"exec-oob":"migrate-pause"})"});
  EXPECT_EQ(oob.exec.command, "migrate-pause");
  EXPECT_TRUE(oob.exec.oob);
  auto dash = ok({"-s", "/run/vm.qmp", "exec", "-"});
  EXPECT_TRUE(dash.exec.from_stdin);
  EXPECT_EQ(usage_error({"exec", R"({"execute":"stop"})", "a=1"}),
            "qmpc exec: a command object (or - for one on stdin) takes no further arguments, got 'a=1'; see 'qmpc "
            "exec --help'\n");
  EXPECT_EQ(usage_error({"exec", "-", "a=1"}).rfind("qmpc exec: a command object (or - for one", 0), 0u);
  EXPECT_EQ(usage_error({"exec", R"({"execute":"stop","id":1})"}),
            "qmpc exec: leave out \"id\": qmpc numbers the commands it sends; see 'qmpc exec --help'\n");
}

TEST(CommandLine, ExecWaitEvent) {
  auto line = ok({"-s", "/run/vm.qmp", "exec", "blockdev-backup", "job-id=b0", "--wait-event", "JOB_STATUS_CHANGE",
                  "--match", "id=b0", "--match", "status=concluded", "--wait-for", "2.5", "--full"});
  EXPECT_EQ(line.exec.command, "blockdev-backup");
  EXPECT_EQ(line.exec.arguments_json, R"({"job-id":"b0"})");
  EXPECT_EQ(line.exec.wait_event, "JOB_STATUS_CHANGE");
  ASSERT_EQ(line.exec.match.size(), 2u);
  EXPECT_EQ(line.exec.match[0].path, "id");
  EXPECT_EQ(line.exec.match[0].value_json, R"("b0")");
  EXPECT_EQ(line.exec.match[1].value_json, R"("concluded")");
  EXPECT_EQ(line.exec.wait_for_s, 2.5);
  EXPECT_TRUE(line.exec.full);
  EXPECT_EQ(usage_error({"exec", "stop", "--match", "a=1"}),
            "qmpc exec: --match and --wait-for go with --wait-event NAME; see 'qmpc exec --help'\n");
  EXPECT_EQ(usage_error({"exec", "stop", "--wait-for", "1"}),
            "qmpc exec: --match and --wait-for go with --wait-event NAME; see 'qmpc exec --help'\n");
  EXPECT_EQ(usage_error({"exec", "stop", "--wait-event", "STOP", "--match", "nope"}),
            "qmpc exec: --match: expected PATH=VALUE, got 'nope'; see 'qmpc exec --help'\n");
  EXPECT_NE(usage_error({"exec", "stop", "--wait-event", "STOP", "--wait-for", "x"}).find("not a number of seconds"),
            std::string::npos);
}

TEST(CommandLine, EventsFilters) {
  auto line = ok({"-s", "/run/vm.qmp", "events", "--name", "BLOCK_JOB_*", "--name", "stop", "--no-case", "--match",
                  "device=job0", "--timestamp", "--count", "2", "--for", "9"});
  EXPECT_EQ(line.command, Command::events);
  EXPECT_EQ(line.events.names, (std::vector<std::string>{"BLOCK_JOB_*", "stop"}));
  EXPECT_TRUE(line.events.no_case);
  ASSERT_EQ(line.events.match.size(), 1u);
  EXPECT_EQ(line.events.match[0].path, "device");
  EXPECT_TRUE(line.events.timestamp);
  EXPECT_EQ(line.events.count, 2u);
  EXPECT_EQ(line.events.for_s, 9.0);
  EXPECT_EQ(usage_error({"events", "--match", "=x"}),
            "qmpc events: --match: missing path before '=' in '=x'; see 'qmpc events --help'\n");
}

TEST(CommandLine, JobCommandsAndTheirEnds) {
  auto line = ok({"commit", "--device", "d", "--pivot"}, "/s");
  EXPECT_EQ(line.command, Command::commit);
  EXPECT_EQ(line.commit.end, JobEnd::pivot);
  EXPECT_EQ(ok({"commit", "--device", "d", "--top", "/i/mid.qcow2"}, "/s").commit.end, JobEnd::automatic);
  EXPECT_NE(usage_error({"commit", "--device", "d", "--top", "/i/mid.qcow2", "--pivot"}).find("no ready phase"),
            std::string::npos);
  EXPECT_EQ(ok({"commit", "--device", "d", "--top", "top0", "--active", "--pivot"}, "/s").commit.end, JobEnd::pivot);
  EXPECT_NE(usage_error({"commit"}).find("--device is required"), std::string::npos);
  EXPECT_NE(usage_error({"commit", "--device", "d", "--pivot", "--detach"}).find("exclude each other"),
            std::string::npos);
  EXPECT_EQ(ok({"commit", "--attach", "c1", "--pivot"}, "/s").commit.attach, "c1");
  EXPECT_EQ(ok({"stream", "--device", "d"}, "/s").command, Command::stream);
  EXPECT_NE(usage_error({"stream", "--device", "d", "--pivot"}).find("--pivot"), std::string::npos);
  EXPECT_NE(usage_error({"backup", "--device", "d", "--target", "t", "--sync", "incremental"}).find("needs --bitmap"),
            std::string::npos);
  EXPECT_NE(usage_error({"backup", "--device", "d", "--target", "node0", "--format", "qcow2"}).find("file target"),
            std::string::npos);
  EXPECT_EQ(ok({"mirror", "--attach", "m1", "--pivot"}, "/s").mirror.attach, "m1");
  EXPECT_NE(usage_error({"mirror", "--pivot"}).find("--device and --target are required"), std::string::npos);
}

TEST(CommandLine, JobActions) {
  auto line = ok({"job", "speed", "j1", "64M"}, "/s");
  EXPECT_EQ(line.command, Command::job);
  EXPECT_EQ(line.job.action, "speed");
  EXPECT_EQ(line.job.id, "j1");
  EXPECT_EQ(line.job.speed, 64u << 20);
  line = ok({"job", "wait", "j1", "--until", "ready", "--timeout", "5"}, "/s");
  EXPECT_EQ(line.job.until, "ready");
  EXPECT_EQ(line.job.wait_timeout_s, 5.0);
  EXPECT_EQ(ok({"job", "list"}, "/s").job.action, "list");
  EXPECT_NE(usage_error({"job", "complete"}).find("takes a job ID"), std::string::npos);
  EXPECT_NE(usage_error({"job", "list", "x"}).find("takes no argument"), std::string::npos);
  EXPECT_NE(usage_error({"job", "frobnicate", "x"}).find("frobnicate"), std::string::npos);
}

}  // namespace
