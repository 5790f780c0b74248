// A live mirror recorded with --trace, then `qmpc trace replay` playing that recording to a second `qmpc mirror`:
// the second run must end the same way and see the same traffic, with no real QEMU behind it.
#include "cli_process.hpp"
#include "listening_socket.hpp"

#include "qmp/transcript_reader.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace {

using namespace qmpc_cli_test;

struct Traffic {
  std::vector<std::string> commands;  // to QEMU: "name#id"
  std::vector<std::string> messages;  // from QEMU: compact JSON
};

Traffic traffic_of(const std::string& path) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(path, ec, diag);
  EXPECT_TRUE(t) << path << ": " << diag.what;
  Traffic out;
  if (!t) return out;
  for (const auto& e : t->entries) {
    auto m = e.to_message();
    if (!m) continue;
    if (e.direction == qmp::Direction::to_qemu) {
      out.commands.push_back(std::string(m->command_name()) + "#" + qmp::json::to_string(*m->id()));
    } else {
      out.messages.push_back(m->text());
    }
  }
  return out;
}

bool wait_for_socket(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::vector<std::string> mirror_args(const std::string& socket, const std::string& trace, const std::string& target) {
  return {"-s", socket, "--trace", trace, "mirror", "--device", "disk0", "--target", target, "--format", "qcow2",
          "--job-id", "r1", "--pivot", "--no-progress"};
}

TEST(CliReplay, AMirrorReplayedFromItsRecordingEndsTheSameWithTheSameTraffic) {
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
  ScratchDir dir;
  const auto source = dir.file("src.qcow2");
  ASSERT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", source, "16M"}).exit_code, 0);
  ASSERT_EQ(run_program({qemu_tool("qemu-io"), "-c", "write -P 0x3c 0 4M", source}).exit_code, 0);

  const auto live_trace = dir.file("live.qmpt");
  std::string live_line;
  {
    Qemu qemu(1, {"-drive", "if=none,id=disk0,format=qcow2,node-name=src0,file=" + source});
    ASSERT_TRUE(qemu.ok());
    auto live = run_qmpc(mirror_args(qemu.socket(), live_trace, dir.file("live-copy.qcow2")));
    ASSERT_EQ(live.exit_code, 0) << live.err;
    live_line = live.out;
  }
  EXPECT_NE(live_line.find("pivoted"), std::string::npos) << live_line;

  // The same command against the recording, served by qmpc itself.
  const auto socket = dir.file("replay.sock");
  // The target file differs from the recorded one; nothing else may.
  Child replay({qmpc_binary(), "trace", "replay", live_trace, "--listen", socket, "--ignore", "target"});
  ASSERT_TRUE(wait_for_socket(socket)) << replay.err_so_far();
  const auto replayed_trace = dir.file("replayed.qmpt");
  auto replayed = run_qmpc(mirror_args(socket, replayed_trace, dir.file("never-written.qcow2")));
  EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.out.find("pivoted"), std::string::npos) << replayed.out;
  auto served = replay.wait(10000ms);
  EXPECT_EQ(served.exit_code, 0) << "the replay reports a divergence: " << served.out << served.err;

  // Recorded again, the replayed session is the live one: the same commands with the same ids, and the same
  // messages from "QEMU", in the same order.
  const Traffic a = traffic_of(live_trace), b = traffic_of(replayed_trace);
  EXPECT_FALSE(a.commands.empty());
  EXPECT_EQ(a.commands, b.commands);
  EXPECT_EQ(a.messages, b.messages);
}

TEST(CliReplay, AClientThatDivergesFromTheRecordingIsTold) {
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
  ScratchDir dir;
  const auto source = dir.file("src.qcow2");
  ASSERT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", source, "16M"}).exit_code, 0);
  const auto live_trace = dir.file("live.qmpt");
  {
    Qemu qemu(1, {"-drive", "if=none,id=disk0,format=qcow2,node-name=src0,file=" + source});
    ASSERT_TRUE(qemu.ok());
    ASSERT_EQ(run_qmpc({"-s", qemu.socket(), "--trace", live_trace, "exec", "query-status", "--no-validate"}).exit_code, 0);
  }
  const auto socket = dir.file("replay.sock");
  Child replay({qmpc_binary(), "trace", "replay", live_trace, "--listen", socket});
  ASSERT_TRUE(wait_for_socket(socket)) << replay.err_so_far();
  auto other = run_qmpc({"-s", socket, "exec", "query-block", "--no-validate"});
  EXPECT_EQ(other.exit_code, 1) << other.err;
  EXPECT_NE(other.err.find("qmpc: GenericError"), std::string::npos) << other.err;
  auto served = replay.wait(10000ms);
  EXPECT_EQ(served.exit_code, 1) << served.out << served.err;
}


// qmpc run against `qmpc trace replay` of fixtures/transcripts/FILE; the replay fails when qmpc's traffic differs.
struct Replayed {
  Outcome qmpc;
  int replay_exit = -1;
};
Replayed replayed(const std::string& file, std::vector<std::string> args, std::vector<std::string> replay_options = {}) {
  ScratchDir dir;
  const auto socket = dir.file("replay.sock");
  std::vector<std::string> replay_argv{qmpc_binary(), "trace", "replay",
                                       std::string(QMPC_FIXTURES_DIR) + "/transcripts/" + file, "--listen", socket};
  replay_argv.insert(replay_argv.end(), replay_options.begin(), replay_options.end());
  Child replay(replay_argv);
  EXPECT_TRUE(wait_for_socket(socket)) << replay.err_so_far();
  for (auto& a : args)
    if (a == "DIR") a = dir.path();
  args.insert(args.begin(), {"-s", socket});
  Replayed r{run_qmpc(args)};
  r.replay_exit = replay.wait(10000ms).exit_code;
  return r;
}

TEST(CliReplay, ARecordingOfRealQemu72DrivesQmpcMirrorWithoutQemu) {
  // fixtures/transcripts/qemu-7.2-drive-mirror-pivot.qmpt: `qmpc --trace ... mirror --pivot` against QEMU 7.2.22.
  auto r = replayed("qemu-7.2-drive-mirror-pivot.qmpt", {"mirror", "--device", "disk0", "--target", "DIR/copy.qcow2",
                                                          "--format", "qcow2", "--job-id", "job0", "--pivot",
                                                          "--no-progress"},
                    {"--ignore", "target"});  // the copy goes to a new scratch directory
  EXPECT_EQ(r.qmpc.exit_code, 0) << r.qmpc.err;
  // No progress polls (they would not be in the recording): the summary line names the recorded job and length.
  EXPECT_EQ(r.qmpc.out.rfind("pivoted: job job0, 4 MiB of 4 MiB copied", 0), 0u) << r.qmpc.out;
  EXPECT_EQ(r.replay_exit, 0);
}

// QEMU 10.0 (recorded with --trace): query-commands offers job-complete, which qmpc sends rather than the
// block-job-complete deprecated in 10.1; after the pivot, query-block shows the device on the target node.
TEST(CliReplay, ARecordingOfRealQemu10DrivesABlockdevMirrorCompletedWithJobComplete) {
  auto r = replayed("qemu-10.0-blockdev-mirror-pivot.qmpt",
                    {"mirror", "--blockdev", "--device", "drive0", "--target", "tgt", "--job-id", "job0", "--pivot",
                     "--no-progress"});
  EXPECT_EQ(r.qmpc.exit_code, 0) << r.qmpc.err;
  EXPECT_EQ(r.qmpc.out.rfind("pivoted: job job0, 4 MiB of 4 MiB copied", 0), 0u) << r.qmpc.out;
  EXPECT_EQ(r.replay_exit, 0);
}

// The commit, stream and backup recordings of tools/scripts/record-job-transcripts.py, played to the qmpc command
// each was recorded with: the same traffic (else the replay fails) and the recorded outcome.
TEST(CliReplay, RecordingsOfEveryJobKindDriveTheirQmpcCommand) {
  struct Case {
    const char* name;
    std::vector<std::string> args;
    const char* summary;
  };
  const std::vector<Case> cases = {
      {"active-commit-pivot", {"commit", "--device", "disk0", "--pivot"}, "pivoted: job job0, 2 MiB of 2 MiB"},
      {"commit-intermediate", {"commit", "--device", "disk0", "--top", "mid0", "--base", "base0"},
       "completed: job job0, 4 MiB of 4 MiB"},
      {"stream", {"stream", "--device", "disk0"}, "completed: job job0, 4 MiB of 4 MiB"},
      {"backup-full", {"backup", "--device", "disk0", "--target", "full0"}, "completed: job job0, 4 MiB of 4 MiB"},
      {"backup-incremental",
       {"backup", "--device", "disk0", "--target", "inc0", "--sync", "incremental", "--bitmap", "bm0"},
       "completed: job job0, 64 KiB of 64 KiB"},
  };
  for (const char* version : {"7.2", "10.0"})
    for (const auto& c : cases) {
      auto args = c.args;
      args.insert(args.end(), {"--job-id", "job0", "--no-progress"});
      const std::string file = std::string("qemu-") + version + "-" + c.name + ".qmpt";
      auto r = replayed(file, args);
      EXPECT_EQ(r.qmpc.exit_code, 0) << file << ": " << r.qmpc.err;
      EXPECT_EQ(r.qmpc.out.rfind(c.summary, 0), 0u) << file << ": " << r.qmpc.out;
      EXPECT_EQ(r.replay_exit, 0) << file;
    }
}

// QEMU 10.0's query-block-jobs ("type" enum, "actively-synced") and block-job-change, recorded with --trace.
TEST(CliReplay, RecordingsOfQemu10QueryBlockJobsAndBlockJobChange) {
  auto q = replayed("qemu-10.0-query-block-jobs-ready.qmpt", {"exec", "query-block-jobs", "--no-validate"});
  EXPECT_EQ(q.qmpc.exit_code, 0) << q.qmpc.err;
  EXPECT_NE(q.qmpc.out.find(R"("type":"mirror","actively-synced":false)"), std::string::npos) << q.qmpc.out;
  EXPECT_EQ(q.replay_exit, 0);
  auto c = replayed("qemu-10.0-block-job-change.qmpt",
                    {"exec", "--no-validate", "block-job-change", "id=job1", "type=mirror", "copy-mode=write-blocking"});
  EXPECT_EQ(c.qmpc.exit_code, 0) << c.qmpc.err;
  EXPECT_EQ(c.qmpc.out, "{}\n");
  EXPECT_EQ(c.replay_exit, 0);
}

// The recording holds no query-qmp-schema: a replay answers it with an error, so exec with a cold schema cache
// goes on unchecked instead of diverging from the recording.
TEST(CliReplay, ACheckingExecIsServedByARecordingWithoutTheSchema) {
  ScratchDir dir;
  const auto socket = dir.file("replay.sock");
  Child replay({qmpc_binary(), "trace", "replay",
                std::string(QMPC_FIXTURES_DIR) + "/transcripts/qemu-10.0-query-block-jobs-ready.qmpt", "--listen",
                socket});
  ASSERT_TRUE(wait_for_socket(socket)) << replay.err_so_far();
  auto o = run_qmpc({"-s", socket, "exec", "query-block-jobs"}, 30000ms, {"XDG_CACHE_HOME=" + dir.file("cache")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find(R"("type":"mirror")"), std::string::npos) << o.out;
  auto r = replay.wait(10000ms);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("answered 1 query-qmp-schema the recording lacks"), std::string::npos) << r.out;
}

std::string recorded_pivot() {
  return std::string(QMPC_FIXTURES_DIR) + "/transcripts/qemu-7.2-drive-mirror-pivot.qmpt";
}

// fixtures/transcripts/qemu-7.2-drive-mirror-pivot.qmpt with a command `name` recorded after the reply of
// drive-mirror, before the ready events: a replay plays those only once a client sent `name`.
std::string with_command_before_ready(const ScratchDir& dir, const std::string& name, const std::string& reply) {
  std::ifstream in(std::string(QMPC_FIXTURES_DIR) + "/transcripts/qemu-7.2-drive-mirror-pivot.qmpt");
  const auto path = dir.file("diverted.qmpt");
  std::ofstream out(path);
  std::string line;
  int seq = 0;
  const auto renumbered = [&](const std::string& l) {
    const auto comma = l.find(',');
    return "{\"seq\":" + std::to_string(++seq) + l.substr(comma);
  };
  while (std::getline(in, line)) {
    if (line.rfind("{\"seq\":", 0) != 0) {
      out << line << '\n';
      continue;
    }
    out << renumbered(line) << '\n';
    if (line.find(R"("return": {}, "id": 3})") != std::string::npos) {  // the reply of drive-mirror
      const auto t = line.substr(line.find("\"t_us\":"), line.find(",\"dir\"") - line.find("\"t_us\":"));
      out << "{\"seq\":" << ++seq << "," << t << R"(,"dir":"to-qemu","msg":{"execute":")" << name << R"(","id":98}})"
          << '\n';
      out << "{\"seq\":" << ++seq << "," << t << R"(,"dir":"from-qemu","msg":{"return":)" << reply << R"(,"id":98}})"
          << '\n';
    }
  }
  return path;
}

const std::vector<std::string> kReplayedPivot{"mirror", "--device", "disk0", "--target", "DIR/copy.qcow2",
                                              "--format", "qcow2", "--job-id", "job0", "--pivot", "--abort-grace", "1"};

Outcome mirror_against(const std::string& transcript, const ScratchDir& dir, std::vector<std::string> extra) {
  const auto socket = dir.file("replay.sock");
  Child replay({qmpc_binary(), "trace", "replay", transcript, "--listen", socket, "--ignore", "target"});
  EXPECT_TRUE(wait_for_socket(socket)) << replay.err_so_far();
  std::vector<std::string> args{"-s", socket};
  for (auto a : kReplayedPivot) args.push_back(a == "DIR/copy.qcow2" ? dir.file("copy.qcow2") : a);
  args.insert(args.end(), extra.begin(), extra.end());
  auto o = run_qmpc(args, 60000ms);
  replay.wait(10000ms);
  return o;
}

// Without a progress bar or --json, mirror still asks QEMU for the job every 5 s: the ready events recorded after
// a query-block-jobs reach it, where a client that only waited for events would wait for ever.
TEST(CliReplay, AMirrorWithoutProgressStillQueriesTheJobAndReachesTheEventsBehindAQuery) {
  ScratchDir dir;
  const auto t = with_command_before_ready(
      dir, "query-block-jobs",
      R"([{"device":"job0","type":"mirror","status":"running","ready":false,"busy":true,"paused":false,)"
      R"("io-status":"ok","offset":0,"len":4194304,"speed":0,"auto-finalize":true,"auto-dismiss":true}])");
  auto o = mirror_against(t, dir, {"--no-progress"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.rfind("pivoted: job job0", 0), 0u) << o.out;
}

// A replay that diverged answers every later command with an error, and the events the job waits for never come.
// QEMU answers query-block-jobs in every state: two refused in a row end the run (the job aborted, the abort grace
// waited: exit 3, as for a lost connection) instead of leaving it waiting.
TEST(CliReplay, AMonitorThatRefusesQueryBlockJobsEndsTheRunInsteadOfHangingIt) {
  ScratchDir dir;
  const auto t = with_command_before_ready(dir, "query-jobs", "[]");
  auto o = mirror_against(t, dir, {"--json"});
  EXPECT_EQ(o.exit_code, 3) << o.err;  // the outcome is unknown: the monitor does not behave as QEMU does
  EXPECT_NE(o.out.find("QEMU refused query-block-jobs (GenericError: qmpc replay: stopped at the first divergence "
                       "(expected 'query-jobs'"),
            std::string::npos) << o.out << o.err;
  EXPECT_NE(o.out.find("2 times in a row"), std::string::npos) << o.out;
}

TEST(CliReplay, ASocketAnotherProgramListensOnIsNotTakenOver) {
  ScratchDir dir;
  const auto socket = dir.file("live.sock");
  const int listener = listening_socket(socket);
  ASSERT_GE(listener, 0);
  auto o = run_qmpc({"trace", "replay", recorded_pivot(), "--listen", socket}, 10000ms);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("another program listens"), std::string::npos) << o.err;
  EXPECT_TRUE(accepts_a_connection(listener)) << "the listener lost its socket";
  ::close(listener);
}

TEST(CliReplay, SigintOrSigtermEndsTheReplayAndRemovesItsSocket) {
  for (int sig : {SIGINT, SIGTERM}) {
    ScratchDir dir;
    const auto socket = dir.file("replay.sock");
    Child replay({qmpc_binary(), "trace", "replay", recorded_pivot(), "--listen", socket});
    ASSERT_TRUE(wait_for_socket(socket)) << replay.err_so_far();
    ASSERT_TRUE(replay.read_line());  // "replaying ... on ...": the signal handler is in place
    replay.signal(sig);
    auto o = replay.wait(10000ms);
    EXPECT_EQ(o.exit_code, 130) << sig << ": " << o.err;
    EXPECT_FALSE(std::filesystem::exists(socket)) << sig;
  }
}

TEST(CliReplay, OtherArgumentsAreADivergenceUnlessIgnored) {
  auto other = replayed("qemu-10.0-block-job-change.qmpt",
                        {"exec", "--no-validate", "block-job-change", "id=job1", "type=mirror", "copy-mode=background"});
  EXPECT_EQ(other.qmpc.exit_code, 1);
  EXPECT_NE(other.qmpc.err.find("with other arguments: copy-mode: recorded \"write-blocking\", got \"background\""),
            std::string::npos)
      << other.qmpc.err;
  EXPECT_EQ(other.replay_exit, 1);
  auto ignored = replayed("qemu-10.0-block-job-change.qmpt",
                          {"exec", "--no-validate", "block-job-change", "id=job1", "type=mirror", "copy-mode=background"},
                          {"--ignore", "copy-mode"});
  EXPECT_EQ(ignored.qmpc.exit_code, 0) << ignored.qmpc.err;
  EXPECT_EQ(ignored.replay_exit, 0);
}

}  // namespace
