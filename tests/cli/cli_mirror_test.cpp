// qmpc mirror against a real QEMU: every end mode with --json checked field by field, blockdev targets, manual
// finalize, progress, start failures, the whole-job deadline, SIGINT, and a QEMU killed mid-job.
#include "cli_process.hpp"

#include "qmp/json.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

constexpr std::uint64_t MiB = 1024 * 1024;

// A QEMU with disk0 (node drive0) on a 64 MiB qcow2 whose first 16 MiB hold data.
struct Vm {
  ScratchDir dir;
  std::string source = dir.file("src.qcow2");
  std::string target = dir.file("dst.qcow2");
  std::unique_ptr<Qemu> qemu;

  Vm() {
    EXPECT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", source, "64M"}).exit_code, 0);
    EXPECT_EQ(run_program({qemu_tool("qemu-io"), "-c", "write -P 0xa5 0 16M", source}).exit_code, 0);
    qemu = std::make_unique<Qemu>(1, std::vector<std::string>{
                                         "-drive", "if=none,id=disk0,node-name=drive0,file=" + source});
  }
  std::string socket() const { return qemu->socket(); }

  Outcome qmpc(std::vector<std::string> args, std::chrono::milliseconds timeout = 60000ms) const {
    args.insert(args.begin(), {"-s", socket()});
    return run_qmpc(args, timeout);
  }
  // The file the disk reads from now.
  std::string active_file() const {
    auto o = qmpc({"exec", "query-block"});
    auto doc = qmp::json::parse_object("{\"r\":" + o.out + "}");
    if (!doc) return "?";
    const auto& list = (*doc)["r"];
    if (!list.IsArray() || list.Empty()) return "?";
    const auto* inserted = qmp::json::find(list[0], "inserted");
    return inserted ? std::string(qmp::json::get_string(*inserted, "file").value_or("?")) : "?";
  }
  // Stops QEMU so that the images can be compared.
  void quit() {
    qmpc({"exec", "quit"});
    qemu->wait(10000ms);
  }
};

bool identical(const std::string& a, const std::string& b) {
  return run_program({qemu_tool("qemu-img"), "compare", "-U", a, b}).exit_code == 0;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  for (std::size_t p = 0, nl; (nl = s.find('\n', p)) != std::string::npos; p = nl + 1) lines.push_back(s.substr(p, nl - p));
  return lines;
}

// The last line of --json output: the summary, parsed.
qmp::json::Document summary_of(const Outcome& o) {
  auto lines = split_lines(o.out);
  EXPECT_FALSE(lines.empty()) << o.err;
  std::string error;
  auto doc = qmp::json::parse_object(lines.empty() ? "" : lines.back(), &error);
  EXPECT_TRUE(doc) << error << ": " << o.out;
  return doc ? std::move(*doc) : qmp::json::Document();
}

std::string str(const qmp::json::Value& v, const char* key) {
  return std::string(qmp::json::get_string(v, key).value_or("<absent>"));
}

bool has_status_line(const Outcome& o, const std::string& to) {
  return o.out.find(R"("type":"status")") != std::string::npos &&
         o.out.find("\"to\":\"" + to + "\"") != std::string::npos;
}

TEST(CliMirror, PivotJsonFieldByField) {
  REQUIRE_QEMU();
  Vm vm;
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--format", "qcow2", "--job-id", "j1",
                    "--pivot", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  for (const auto& line : split_lines(o.out)) EXPECT_TRUE(qmp::json::parse_object(line)) << line;
  EXPECT_TRUE(has_status_line(o, "ready")) << o.out;
  EXPECT_TRUE(has_status_line(o, "concluded")) << o.out;
  EXPECT_NE(o.out.find(R"("type":"ready")"), std::string::npos) << o.out;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "pivoted");
  EXPECT_EQ(str(s, "job"), "j1");
  EXPECT_EQ(qmp::json::get_uint(s, "len"), 16 * MiB);
  EXPECT_EQ(qmp::json::get_uint(s, "offset"), 16 * MiB);
  ASSERT_TRUE(s.HasMember("ready_ms") && s["ready_ms"].IsNumber());
  ASSERT_TRUE(s.HasMember("done_ms") && s["done_ms"].IsNumber());
  ASSERT_TRUE(s.HasMember("pivot_us") && s["pivot_us"].IsInt64());
  EXPECT_GE(s["ready_ms"].GetDouble(), 0);
  EXPECT_GE(s["done_ms"].GetDouble(), s["ready_ms"].GetDouble());
  EXPECT_GE(s["pivot_us"].GetInt64(), 0);
  EXPECT_FALSE(s.HasMember("error"));
  EXPECT_EQ(vm.active_file(), vm.target);
  vm.quit();
  EXPECT_TRUE(identical(vm.source, vm.target));
}

TEST(CliMirror, FinishKeepsTheSourceAndLeavesACopy) {
  REQUIRE_QEMU();
  Vm vm;
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--format", "qcow2", "--finish", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "finished");
  EXPECT_EQ(str(s, "job").rfind("qmpc-mirror-", 0), 0u) << str(s, "job");
  EXPECT_TRUE(s["ready_ms"].IsNumber());
  EXPECT_TRUE(s["pivot_us"].IsInt64());  // the soft cancel is the completion command here
  EXPECT_EQ(vm.active_file(), vm.source);
  vm.quit();
  EXPECT_TRUE(identical(vm.source, vm.target));
}

TEST(CliMirror, WaitLeavesTheJobMirroring) {
  REQUIRE_QEMU();
  Vm vm;
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--job-id", "w1", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "ready");
  EXPECT_TRUE(s["ready_ms"].IsNumber());
  EXPECT_TRUE(s["pivot_us"].IsNull());
  auto jobs = vm.qmpc({"exec", "query-block-jobs"});
  EXPECT_NE(jobs.out.find(R"("device":"w1")"), std::string::npos) << jobs.out;
  EXPECT_NE(jobs.out.find(R"("ready":true)"), std::string::npos) << jobs.out;
  EXPECT_EQ(vm.active_file(), vm.source);
}

TEST(CliMirror, DetachExitsOnceTheJobRuns) {
  REQUIRE_QEMU();
  Vm vm;
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--job-id", "d1", "--bandwidth", "1M",
                    "--detach", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "detached");
  EXPECT_EQ(str(s, "job"), "d1");
  EXPECT_TRUE(s["ready_ms"].IsNull());
  auto jobs = vm.qmpc({"exec", "query-block-jobs"});
  EXPECT_NE(jobs.out.find(R"("device":"d1")"), std::string::npos) << jobs.out;
}

TEST(CliMirror, HumanSummaryLine) {
  REQUIRE_QEMU();
  Vm vm;
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--pivot", "--no-progress"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(split_lines(o.out).size(), 1u) << o.out;
  EXPECT_EQ(o.out.rfind("pivoted: job qmpc-mirror-", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("ready after"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("completed after"), std::string::npos) << o.out;
  EXPECT_EQ(o.err, "");
}

TEST(CliMirror, BlockdevTargetWithManualFinalize) {
  REQUIRE_QEMU();
  Vm vm;
  ASSERT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", vm.target, "64M"}).exit_code, 0);
  auto add = vm.qmpc({"exec", "blockdev-add", "driver=qcow2", "node-name=tgt", "file.driver=file",
                      "file.filename=" + vm.target});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto o = vm.qmpc({"mirror", "--blockdev", "--device", "drive0", "--target", "tgt", "--manual-finalize",
                    "--sync", "full", "--granularity", "64K", "--buf-size", "1M", "--pivot", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "pivoted");
  EXPECT_TRUE(has_status_line(o, "pending")) << o.out;
  auto jobs = vm.qmpc({"exec", "query-jobs"});
  EXPECT_EQ(jobs.out, "[]\n") << "qmpc finalized and dismissed the job";
  EXPECT_EQ(vm.active_file(), vm.target);
}

TEST(CliMirror, ProgressAsJsonAndAsABar) {
  REQUIRE_QEMU();
  Vm vm;
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--bandwidth", "16M", "--buf-size",
                    "1M", "--pivot", "--json", "--progress"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find(R"("type":"progress")"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(R"("len":16777216)"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find('%'), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("/s"), std::string::npos) << o.err;
}

TEST(CliMirror, RefusedStartExitsOneWithQemusError) {
  REQUIRE_QEMU();
  Vm vm;
  // QEMU's words for the refusal differ between versions (7.2: "Cannot find device='nope' nor
  // node-name='nope'", 5.2: "Cannot find device=nope nor node_name=nope"): ask QEMU for them first.
  auto asked = vm.qmpc({"exec", "drive-mirror", "device=nope", "target=" + vm.target, "sync=full"});
  const std::string prefix = "qmpc: GenericError: Cannot find device";
  ASSERT_EQ(asked.err.rfind(prefix, 0), 0u) << asked.err;
  const std::string words = asked.err.substr(std::string("qmpc: GenericError: ").size(),
                                             asked.err.size() - std::string("qmpc: GenericError: \n").size());
  auto o = vm.qmpc({"mirror", "--device", "nope", "--target", vm.target, "--pivot", "--json"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, "qmpc: GenericError: " + words + "\n");
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "failed");
  EXPECT_EQ(str(s, "error"), words);
}

TEST(CliMirror, WholeJobTimeoutAbortsAndExitsFour) {
  REQUIRE_QEMU();
  Vm vm;
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--bandwidth", "1M", "--buf-size", "1M",
                    "--pivot", "--timeout", "1", "--json"});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "timeout");
  EXPECT_NE(str(s, "error").find("--timeout"), std::string::npos);
  EXPECT_NE(o.err.find("--timeout"), std::string::npos) << o.err;
  EXPECT_EQ(vm.qmpc({"exec", "query-block-jobs"}).out, "[]\n");
  EXPECT_EQ(vm.active_file(), vm.source);
}

TEST(CliMirror, SigintAbortsTheJobAndLeavesTheSource) {
  REQUIRE_QEMU();
  Vm vm;
  Child c({qmpc_binary(), "-s", vm.socket(), "mirror", "--device", "disk0", "--target", vm.target, "--bandwidth",
           "1M", "--buf-size", "1M", "--pivot", "--json"});
  // Wait until the job runs.
  for (;;) {
    auto line = c.read_line(20000ms);
    ASSERT_TRUE(line) << c.err_so_far();
    if (line->find(R"("to":"running")") != std::string::npos) break;
  }
  c.signal(SIGINT);
  auto o = c.wait(30000ms);
  EXPECT_EQ(o.exit_code, 130) << o.err;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "interrupted");
  EXPECT_EQ(vm.qmpc({"exec", "query-block-jobs"}).out, "[]\n");
  EXPECT_EQ(vm.active_file(), vm.source);
}

TEST(CliMirror, QemuKilledMidJobExitsThree) {
  REQUIRE_QEMU();
  Vm vm;
  Child c({qmpc_binary(), "-s", vm.socket(), "mirror", "--device", "disk0", "--target", vm.target, "--bandwidth",
           "1M", "--buf-size", "1M", "--pivot", "--timeout", "60", "--json"});
  for (;;) {
    auto line = c.read_line(20000ms);
    ASSERT_TRUE(line) << c.err_so_far();
    if (line->find(R"("to":"running")") != std::string::npos) break;
  }
  vm.qemu->kill(SIGKILL);
  auto o = c.wait(30000ms);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "failed");
  EXPECT_NE(o.err.find("qmpc: "), std::string::npos);
}

// A raw target under blkdebug that fails one write with EIO (errno 5) at 8 MiB.
void add_failing_target(const Vm& vm, const std::string& path) {
  ASSERT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "raw", path, "64M"}).exit_code, 0);
  auto add = vm.qmpc({"exec", "blockdev-add",
                      R"({"driver":"raw","node-name":"tgt","file":{"driver":"blkdebug","inject-error":)"
                      R"([{"event":"write_aio","errno":5,"sector":16384,"once":true}],)"
                      R"("image":{"driver":"file","filename":")" + path + R"("}}})"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
}

TEST(CliMirror, StoppedByAnErrorIsResumedWithRetryErrors) {
  REQUIRE_QEMU();
  Vm vm;
  const auto raw = vm.dir.file("dst.raw");
  add_failing_target(vm, raw);
  auto o = vm.qmpc({"mirror", "--blockdev", "--device", "drive0", "--target", "tgt", "--on-target-error", "stop",
                    "--retry-errors", "1", "--pivot", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_NE(o.out.find(R"("type":"paused_by_error")"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(R"("will_resume":true)"), std::string::npos) << o.out;
  EXPECT_EQ(str(summary_of(o), "result"), "pivoted");
  vm.quit();
  EXPECT_TRUE(identical(vm.source, raw));
}

TEST(CliMirror, StoppedByAnErrorWithoutRetriesIsAbortedAndExitsOne) {
  REQUIRE_QEMU();
  Vm vm;
  add_failing_target(vm, vm.dir.file("dst.raw"));
  auto o = vm.qmpc({"mirror", "--blockdev", "--device", "drive0", "--target", "tgt", "--on-target-error", "stop",
                    "--pivot", "--json"});
  EXPECT_EQ(o.exit_code, 1) << o.err << o.out;
  auto s = summary_of(o);
  EXPECT_NE(str(s, "result"), "pivoted");
  EXPECT_TRUE(s.HasMember("error")) << o.out;
  EXPECT_NE(o.err.find("qmpc: mirror job"), std::string::npos) << o.err;
  EXPECT_EQ(vm.active_file(), vm.source);
}

TEST(CliMirror, ReportedErrorFailsTheJob) {
  REQUIRE_QEMU();
  Vm vm;
  add_failing_target(vm, vm.dir.file("dst.raw"));
  auto o = vm.qmpc({"mirror", "--blockdev", "--device", "drive0", "--target", "tgt", "--on-target-error", "report",
                    "--pivot", "--json"});
  EXPECT_EQ(o.exit_code, 1) << o.err << o.out;
  auto s = summary_of(o);
  EXPECT_EQ(str(s, "result"), "failed");
  EXPECT_EQ(str(s, "error"), "Input/output error");
  EXPECT_NE(o.out.find(R"("type":"job_error")"), std::string::npos) << o.out;
}

TEST(CliMirror, ReuseExternalTopSyncAndWriteBlocking) {
  REQUIRE_QEMU();
  Vm vm;
  ASSERT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", vm.target, "64M"}).exit_code, 0);
  auto o = vm.qmpc({"mirror", "--device", "disk0", "--target", vm.target, "--format", "qcow2", "--reuse-external",
                    "--sync", "top", "--write-blocking", "--pivot", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(str(summary_of(o), "result"), "pivoted");
  EXPECT_EQ(vm.active_file(), vm.target);
  vm.quit();
  EXPECT_TRUE(identical(vm.source, vm.target));
}

}  // namespace

// qemu-storage-daemon with node src0 (a 16 MiB qcow2 whose first 4 MiB hold data) and target node tgt added over
// QMP; `extra` daemon arguments (an NBD export, say).
struct StorageDaemon {
  ScratchDir dir;
  std::string source = dir.file("src.qcow2");
  std::string target = dir.file("dst.qcow2");
  std::unique_ptr<Qemu> daemon;

  explicit StorageDaemon(std::vector<std::string> extra = {}) {
    for (const auto& image : {source, target})
      EXPECT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", image, "16M"}).exit_code, 0);
    EXPECT_EQ(run_program({qemu_tool("qemu-io"), "-c", "write -P 0x5c 0 4M", source}).exit_code, 0);
    std::vector<std::string> args{"--blockdev", "driver=file,node-name=f0,filename=" + source,
                                  "--blockdev", "driver=qcow2,node-name=src0,file=f0"};
    args.insert(args.end(), extra.begin(), extra.end());
    daemon = std::make_unique<Qemu>(Qemu::StorageDaemon{args});
    EXPECT_EQ(qmpc({"exec", "blockdev-add",
                    R"({"driver":"qcow2","node-name":"tgt","file":{"driver":"file","filename":")" + target + "\"}}"})
                  .exit_code,
              0);
  }
  Outcome qmpc(std::vector<std::string> args) const {
    args.insert(args.begin(), {"-s", daemon->socket()});
    return run_qmpc(args, 60000ms);
  }
  void quit() {
    qmpc({"exec", "quit"});
    daemon->wait(10000ms);
  }
};

#define REQUIRE_STORAGE_DAEMON()                                                   \
  if (qmpc_test::tool_version(qemu_tool("qemu-storage-daemon")).empty())           \
  GTEST_SKIP() << qemu_tool("qemu-storage-daemon") << " is not available"

// Nothing uses src0, so completing the mirror switches nothing over: qmpc says so instead of claiming a pivot.
TEST(CliStorageDaemon, MirrorOfANodeNobodyUsesSaysNothingWasPivoted) {
  REQUIRE_STORAGE_DAEMON();
  StorageDaemon sd;
  auto o = sd.qmpc({"mirror", "--blockdev", "--device", "src0", "--target", "tgt", "--pivot", "--json"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(str(summary_of(o), "result"), "completed") << o.out;
  EXPECT_NE(o.err.find("nothing was switched over"), std::string::npos) << o.err;
  auto plain = sd.qmpc({"mirror", "--blockdev", "--device", "src0", "--target", "tgt", "--pivot"});
  EXPECT_EQ(plain.out.rfind("completed: job ", 0), 0u) << plain.out;
  sd.quit();
  EXPECT_TRUE(identical(sd.source, sd.target));
}

// An NBD export uses src0: the pivot moves the export over to tgt.
TEST(CliStorageDaemon, MirrorOfAnExportedNodePivotsTheExport) {
  REQUIRE_STORAGE_DAEMON();
  ScratchDir nbd;
  StorageDaemon sd({"--nbd-server", "addr.type=unix,addr.path=" + nbd.file("nbd.sock"), "--export",
                    "type=nbd,id=e0,node-name=src0,writable=on"});
  auto o = sd.qmpc({"mirror", "--blockdev", "--device", "src0", "--target", "tgt", "--pivot", "--json"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(str(summary_of(o), "result"), "pivoted") << o.out;
  auto exports = sd.qmpc({"exec", "query-block-exports"});
  EXPECT_NE(exports.out.find(R"("node-name":"tgt")"), std::string::npos) << exports.out;
  sd.quit();
  EXPECT_TRUE(identical(sd.source, sd.target));
}

// The other ends and the job commands: wait for ready, pause and resume with job-*, then a soft cancel (finish).
TEST(CliStorageDaemon, WaitPauseResumeAndFinish) {
  REQUIRE_STORAGE_DAEMON();
  StorageDaemon sd;
  auto o = sd.qmpc({"mirror", "--blockdev", "--device", "src0", "--target", "tgt", "--job-id", "j0", "--wait"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(sd.qmpc({"exec", "job-pause", "id=j0"}).exit_code, 0);
  auto paused = sd.qmpc({"exec", "query-block-jobs"});
  EXPECT_NE(paused.out.find(R"("paused":true)"), std::string::npos) << paused.out;
  EXPECT_EQ(sd.qmpc({"exec", "job-resume", "id=j0"}).exit_code, 0);
  auto f = sd.qmpc({"mirror", "--blockdev", "--device", "src0", "--target", "tgt", "--finish", "--json"});
  EXPECT_EQ(f.exit_code, 1) << "tgt is still in use by j0: " << f.err;
  EXPECT_EQ(sd.qmpc({"exec", "block-job-cancel", "device=j0"}).exit_code, 0);
  auto jobs = sd.qmpc({"exec", "query-jobs"});
  for (int i = 0; i < 100 && jobs.out != "[]\n"; ++i) jobs = sd.qmpc({"exec", "query-jobs"});
  EXPECT_EQ(jobs.out, "[]\n");
  f = sd.qmpc({"mirror", "--blockdev", "--device", "src0", "--target", "tgt", "--finish", "--json"});
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(str(summary_of(f), "result"), "finished") << f.out;
  sd.quit();
  EXPECT_TRUE(identical(sd.source, sd.target));
}
