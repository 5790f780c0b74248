#include "trace/trace_commands.hpp"

#include "cli/command_line.hpp"

#include "qmp/json.hpp"
#include "qmp/transcript_reader.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <unistd.h>

namespace {

struct ActionRun {
  int rc = -1;
  std::string out, err;
};

std::string slurp(std::FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
  std::fclose(f);
  return s;
}

// `qmpc trace ACTION ARGS...` as the command line parses it, then the action run with what it parsed.
ActionRun run(std::string_view action, std::vector<std::string> args) {
  args.insert(args.begin(), {"trace", std::string(action)});
  ActionRun r;
  const qmpc::cli::ParseOutcome parsed = qmpc::cli::parse_command_line(args, nullptr);
  if (!parsed.line) {
    r.rc = parsed.exit_code;
    r.out = parsed.out;
    r.err = parsed.err;
    return r;
  }
  EXPECT_EQ(parsed.line->command, qmpc::cli::Command::trace);
  boost::asio::io_context ioc;
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  r.rc = trace::run_trace_action(ioc, parsed.line->trace, out, err);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

class TraceCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    old_cwd_ = std::filesystem::current_path();
    dir_ = std::filesystem::temp_directory_path() /
           ("qmpc-trace-cmd-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::filesystem::current_path(dir_);
  }
  void TearDown() override {
    std::filesystem::current_path(old_cwd_);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path old_cwd_, dir_;
};

TEST_F(TraceCommands, ImportWritesOneTranscriptPerMonitorThenTimelineAndCheckReadThem) {
  const ActionRun imp = run("import-libvirt", {trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log")});
  ASSERT_EQ(imp.rc, 0) << imp.err;
  const std::string first = "libvirt-9.0-blockcopy-debug-0x7fa1f0006740.qmpt";
  const std::string second = "libvirt-9.0-blockcopy-debug-0x7fa1f0006b90.qmpt";
  EXPECT_NE(imp.out.find(first + ": monitor 0x7fa1f0006740, connection 1, 51 messages (to QEMU from "
                                 "QEMU_MONITOR_IO_WRITE, from QEMU from QEMU_MONITOR_RECV_REPLY)"),
            std::string::npos)
      << imp.out;
  ASSERT_TRUE(std::filesystem::exists(dir_ / first));
  ASSERT_TRUE(std::filesystem::exists(dir_ / second));

  const ActionRun tl = run("timeline", {first});
  EXPECT_EQ(tl.rc, 0) << tl.err;
  EXPECT_NE(tl.out.find("ready -> job-complete sent:           372.000 ms"), std::string::npos) << tl.out;

  const ActionRun ck = run("check", {second});
  EXPECT_EQ(ck.rc, 0) << ck.out;
  EXPECT_EQ(ck.out, "0 error(s), 0 warning(s)\n");
}

TEST_F(TraceCommands, ImportToOneFileNeedsOneTranscript) {
  const std::string log = trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log");
  const ActionRun two = run("import-libvirt", {log, "-o", "x.qmpt"});
  EXPECT_EQ(two.rc, 2);
  EXPECT_NE(two.err.find("--monitor"), std::string::npos) << two.err;
  const ActionRun one = run("import-libvirt", {log, "--monitor", "0x7fa1f0006b90", "-o", "x.qmpt"});
  EXPECT_EQ(one.rc, 0) << one.err;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file((dir_ / "x.qmpt").string(), ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->header.monitor, "0x7fa1f0006b90");

  const ActionRun again = run("import-libvirt", {log, "--monitor", "0x7fa1f0006b90", "-o", "x.qmpt"});
  EXPECT_EQ(again.rc, 2);
  EXPECT_NE(again.err.find("x.qmpt' exists already"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--overwrite"), std::string::npos) << again.err;
  const ActionRun replaced = run("import-libvirt", {log, "--monitor", "0x7fa1f0006b90", "-o", "x.qmpt", "--overwrite"});
  EXPECT_EQ(replaced.rc, 0) << replaced.err;
}

TEST_F(TraceCommands, CheckFailsOnErrorsAndReportsThem) {
  {
    std::FILE* f = std::fopen("bad.qmpt", "w");
    std::fputs(R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n"
               R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"event":"JOB_STATUS_CHANGE","data":{"status":"running","id":"job0"}}})" "\n"
               R"({"seq":2,"t_us":10,"dir":"to-qemu","msg":{"execute":"job-complete","arguments":{"id":"job0"},"id":1}})" "\n",
               f);
    std::fclose(f);
  }
  const ActionRun ck = run("check", {"bad.qmpt"});
  EXPECT_EQ(ck.rc, 1);
  EXPECT_NE(ck.out.find("completion-not-ready"), std::string::npos) << ck.out;
}

TEST_F(TraceCommands, WhatATranscriptSaysReachesNoTerminalRaw) {
  {
    std::FILE* f = std::fopen("hostile.qmpt", "w");
    std::fputs(R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n"
               R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"event":"JOB_STATUS_CHANGE","data":{"status":"running","id":"j\u001b]0;pwned\u0007)" "\xff" R"("}}})" "\n"
               R"({"seq":2,"t_us":10,"dir":"to-qemu","msg":{"execute":"job-complete","arguments":{"id":"j\u001b]0;pwned\u0007)" "\xff" R"("},"id":1}})" "\n",
               f);
    std::fclose(f);
  }
  for (const char* action : {"timeline", "check"}) {
    const ActionRun r = run(action, {"hostile.qmpt"});
    EXPECT_NE(r.out.find("j\\x1b]0;pwned\\x07\\xff"), std::string::npos) << action << ": " << r.out;
    for (const std::string* text : {&r.out, &r.err}) {
      EXPECT_EQ(text->find('\x1b'), std::string::npos) << action << ": " << *text;
      EXPECT_EQ(text->find('\x07'), std::string::npos) << action << ": " << *text;
      EXPECT_EQ(text->find('\xff'), std::string::npos) << action << ": " << *text;
    }
  }
}

TEST_F(TraceCommands, BadArgumentsAndFiles) {
  const ActionRun unknown = run("frobnicate", {});
  EXPECT_EQ(unknown.rc, 2);
  EXPECT_EQ(unknown.err, "qmpc trace: unknown action 'frobnicate'; see 'qmpc trace --help'\n");
  const ActionRun no_file = run("timeline", {});
  EXPECT_EQ(no_file.rc, 2);
  EXPECT_EQ(no_file.err.rfind("qmpc trace timeline: FILE is required", 0), 0u) << no_file.err;
  const ActionRun two = run("check", {"a", "b"});
  EXPECT_EQ(two.rc, 2);
  EXPECT_EQ(two.err, "qmpc trace check: unexpected argument 'b'; see 'qmpc trace check --help'\n");
  const ActionRun bogus = run("import-libvirt", {"x.log", "--bogus"});
  EXPECT_EQ(bogus.rc, 2);
  EXPECT_EQ(bogus.err.rfind("qmpc trace import-libvirt: unknown option --bogus", 0), 0u) << bogus.err;
  const ActionRun no_listen = run("replay", {"x.qmpt"});
  EXPECT_EQ(no_listen.rc, 2);
  EXPECT_NE(no_listen.err.find("--listen is required"), std::string::npos) << no_listen.err;
  const ActionRun missing = run("timeline", {"missing.qmpt"});
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find("missing.qmpt"), std::string::npos) << missing.err;
  const ActionRun no_log = run("import-libvirt", {"missing.log"});
  EXPECT_EQ(no_log.rc, 1);
}

TEST_F(TraceCommands, EveryActionTakesALineLimit) {
  {
    std::FILE* f = std::fopen("long.qmpt", "w");
    std::fputs(R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n"
               R"({"seq":1,"t_us":0,"dir":"to-qemu","msg":{"execute":"stop","arguments":{"pad":"0123456789012345678901234567890123456789"}}})" "\n",
               f);
    std::fclose(f);
  }
  for (const char* action : {"timeline", "check"}) {
    const ActionRun small = run(action, {"long.qmpt", "--max-line-bytes", "64"});
    EXPECT_EQ(small.rc, 1) << action;
    EXPECT_EQ(small.err, "qmpc trace: long.qmpt: line 2 is longer than the limit of 64 bytes (--max-line-bytes "
                         "raises it)\n")
        << action;
    EXPECT_EQ(run(action, {"long.qmpt", "--max-line-bytes", "4096"}).rc, 0) << action;
  }
  const ActionRun replay = run("replay", {"long.qmpt", "--listen", "r.sock", "--max-line-bytes", "64"});
  EXPECT_EQ(replay.rc, 1);
  EXPECT_NE(replay.err.find("line 2 is longer than the limit of 64 bytes"), std::string::npos) << replay.err;
  const ActionRun imp = run("import-libvirt", {trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log"),
                                               "--max-line-bytes", "100"});
  EXPECT_EQ(imp.rc, 1);
  EXPECT_NE(imp.err.find("is longer than the limit of 100 bytes (--max-line-bytes raises it)"), std::string::npos)
      << imp.err;
  for (const char* bad : {"0", "10k", "1.5"}) {
    const ActionRun r = run("check", {"long.qmpt", "--max-line-bytes", bad});
    EXPECT_EQ(r.rc, 2) << bad;
    EXPECT_EQ(r.err.rfind("qmpc trace check: --max-line-bytes: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("; see 'qmpc trace check --help'\n"), std::string::npos) << r.err;
  }
  const ActionRun none = run("check", {"long.qmpt", "--max-line-bytes"});
  EXPECT_EQ(none.rc, 2);
  EXPECT_NE(none.err.find("--max-line-bytes needs a value"), std::string::npos) << none.err;
}

TEST_F(TraceCommands, EveryActionHasItsHelp) {
  for (const char* action : {"import-libvirt", "timeline", "check", "show", "replay"}) {
    for (const char* flag : {"--help", "-h"}) {
      const ActionRun r = run(action, {flag});
      EXPECT_EQ(r.rc, 0) << action << " " << flag << ": " << r.err;
      EXPECT_NE(r.out.find(std::string("Usage: qmpc trace ") + action), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("--max-line-bytes"), std::string::npos) << r.out;
      EXPECT_EQ(r.err, "");
    }
  }
}

TEST_F(TraceCommands, ImportToStandardOutput) {
  const std::string log = trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log");
  const ActionRun r = run("import-libvirt", {log, "--monitor", "0x7fa1f0006740", "-o", "-"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind(R"({"qmp-transcript":1,)", 0), 0u) << r.out.substr(0, 200);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "-"));
  // What went to stdout is a transcript the tools read.
  {
    std::FILE* f = std::fopen("copy.qmpt", "w");
    std::fputs(r.out.c_str(), f);
    std::fclose(f);
  }
  const ActionRun tl = run("timeline", {"copy.qmpt"});
  EXPECT_EQ(tl.rc, 0) << tl.err;
  EXPECT_NE(tl.out.find("ready -> job-complete sent:           372.000 ms"), std::string::npos) << tl.out;
}

TEST_F(TraceCommands, ImportWithSeveralMonitorsNamesThem) {
  const std::string log = trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log");
  const ActionRun r = run("import-libvirt", {log, "-o", "-"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("(monitors 0x7fa1f0006740, 0x7fa1f0006b90)"), std::string::npos) << r.err;
}

TEST_F(TraceCommands, TimelineAndCheckAsJson) {
  const std::string log = trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log");
  ASSERT_EQ(run("import-libvirt", {log}).rc, 0);
  const std::string first = "libvirt-9.0-blockcopy-debug-0x7fa1f0006740.qmpt";
  const ActionRun tl = run("timeline", {first, "--json"});
  EXPECT_EQ(tl.rc, 0) << tl.err;
  ASSERT_FALSE(tl.out.empty());
  std::size_t lines = 0;
  for (std::size_t p = 0, nl; (nl = tl.out.find('\n', p)) != std::string::npos; p = nl + 1, ++lines) {
    auto doc = qmp::json::parse_object(tl.out.substr(p, nl - p));
    ASSERT_TRUE(doc) << tl.out.substr(p, nl - p);
    EXPECT_TRUE(qmp::json::get_string(*doc, "job")) << tl.out;
    EXPECT_TRUE(qmp::json::find(*doc, "states")->IsArray()) << tl.out;
  }
  EXPECT_GE(lines, 1u);
  EXPECT_NE(tl.out.find(R"("ready_to_completion_sent_us":372000)"), std::string::npos) << tl.out;

  const ActionRun ck = run("check", {first, "--json"});
  EXPECT_EQ(ck.rc, 0) << ck.err;
  EXPECT_EQ(ck.out, R"({"errors":0,"warnings":0})" "\n");
  {
    std::FILE* f = std::fopen("bad.qmpt", "w");
    std::fputs(R"({"qmp-transcript":1,"source":"qmpc","qemu":null})" "\n"
               R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"event":"JOB_STATUS_CHANGE","data":{"status":"running","id":"job0"}}})" "\n"
               R"({"seq":2,"t_us":10,"dir":"to-qemu","msg":{"execute":"job-complete","arguments":{"id":"job0"},"id":1}})" "\n",
               f);
    std::fclose(f);
  }
  const ActionRun bad = run("check", {"bad.qmpt", "--json"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(bad.out.rfind(R"({"severity":"error","rule":"completion-not-ready","seq":2,"t_us":10,"explanation":")", 0),
            0u)
      << bad.out;
  EXPECT_NE(bad.out.find("\n" R"({"errors":1,"warnings":0})" "\n"), std::string::npos) << bad.out;
}

TEST_F(TraceCommands, ShowPrintsOneMessagePerLineRedacted) {
  {
    std::FILE* f = std::fopen("t.qmpt", "w");
    std::fputs(R"({"qmp-transcript":1,"source":"qmpc","qemu":"7.2.22","origin":"unix:/tmp/q.sock"})" "\n"
               R"({"seq":1,"t_us":812,"dir":"to-qemu","msg":{"execute":"object-add","arguments":{"qom-type":"secret","id":"s0","data":"hunter2"},"id":1}})" "\n"
               R"({"seq":2,"t_us":1951,"dir":"from-qemu","msg":{"return":{},"id":1}})" "\n"
               R"({"seq":3,"t_us":2000000,"dir":"from-qemu","msg":{"event":"STOP","data":{"x":"\u001b[2J"}}})" "\n",
               f);
    std::fclose(f);
  }
  const ActionRun r = run("show", {"t.qmpt"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.rfind("# transcript: QEMU 7.2.22, recorded by qmpc from unix:/tmp/q.sock\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n    0.000812  #1     ->  {\"execute\":\"object-add\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<redacted>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n    0.001951  #2     <-  {\"return\":{},\"id\":1}\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n    2.000000  #3     <-  "), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;
  EXPECT_EQ(run("show", {}).rc, 2);
  EXPECT_EQ(run("show", {"missing.qmpt"}).rc, 1);
}

TEST_F(TraceCommands, ARecordingOfTheProxyIsCheckedAndShownWithItsClients) {
  const auto write = [](const char* name, const std::string& entries) {
    std::FILE* f = std::fopen(name, "w");
    std::fputs((R"({"qmp-transcript":1,"source":"qmpc","qemu":"7.2.22"})" "\n" + entries).c_str(), f);
    std::fclose(f);
  };
  write("proxy.qmpt", R"({"seq":1,"t_us":0,"dir":"to-qemu","msg":{"execute":"qmp_capabilities","id":0}})" "\n"
                      R"({"seq":2,"t_us":10,"dir":"from-qemu","msg":{"return":{},"id":0}})" "\n"
                      R"({"seq":3,"t_us":20,"dir":"to-qemu","client":1,"msg":{"execute":"query-status","id":1}})" "\n"
                      R"({"seq":4,"t_us":30,"dir":"to-qemu","client":2,"msg":{"execute":"query-name","id":2}})" "\n"
                      R"({"seq":5,"t_us":40,"dir":"from-qemu","client":1,"msg":{"return":{},"id":1}})" "\n"
                      R"({"seq":6,"t_us":50,"dir":"from-qemu","client":2,"msg":{"return":{},"id":2}})" "\n");
  const ActionRun check = run("check", {"proxy.qmpt"});
  EXPECT_EQ(check.rc, 0) << check.out << check.err;
  const ActionRun timeline = run("timeline", {"proxy.qmpt"});
  EXPECT_EQ(timeline.rc, 0) << timeline.err;
  EXPECT_NE(timeline.out.find("  client 1: 1 command(s), 1 reply, seq 3 (0.000020 s) to seq 5 (0.000040 s): "
                              "query-status\n"
                              "  client 2: 1 command(s), 1 reply, seq 4 (0.000030 s) to seq 6 (0.000050 s): "
                              "query-name\n"),
            std::string::npos)
      << timeline.out;
  const ActionRun show = run("show", {"proxy.qmpt"});
  EXPECT_NE(show.out.find(R"(#4     ->  [client 2] {"execute":"query-name","id":2})"), std::string::npos) << show.out;

  write("bad.qmpt", R"({"seq":1,"t_us":0,"dir":"to-qemu","client":"one","msg":{"execute":"stop","id":0}})" "\n");
  for (const char* action : {"check", "timeline", "show"}) {
    const ActionRun bad = run(action, {"bad.qmpt"});
    EXPECT_EQ(bad.rc, 1) << action;
    EXPECT_EQ(bad.err, "qmpc trace: bad.qmpt: line 2: entry member \"client\" is \"one\", expected a proxy's client "
                       "number (an integer, 0 or more)\n")
        << action;
  }
}

}  // namespace
