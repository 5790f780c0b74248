// qmpc commit, stream, backup, job and mirror --attach against a real QEMU. The chain is base.qcow2 <- mid.qcow2
// <- top.qcow2 (8 MiB): base holds 0x01 at [0, 1M), mid 0x02 at [1M, 2M), top 0x03 at [2M, 3M).
#include "cli_process.hpp"

#include "qmp/json.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

namespace {

using namespace qmpc_cli_test;
namespace json = qmp::json;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> lines;
  for (std::size_t p = 0, nl; (nl = s.find('\n', p)) != std::string::npos; p = nl + 1) lines.push_back(s.substr(p, nl - p));
  return lines;
}

json::Document last_json(const Outcome& o) {
  auto lines = lines_of(o.out);
  auto doc = json::parse_object(lines.empty() ? "" : lines.back());
  EXPECT_TRUE(doc) << o.out << o.err;
  return doc ? std::move(*doc) : json::Document();
}

std::string str(const json::Value& v, const char* key) {
  return std::string(json::get_string(v, key).value_or("<absent>"));
}

bool reads_as(const std::string& path, const std::string& pattern, const std::string& off, const std::string& len) {
  auto r = run_program({qemu_tool("qemu-io"), "-r", "-U", "-f", "qcow2", "-c",
                        "read -P " + pattern + " " + off + " " + len, path});
  return r.exit_code == 0 && r.out.find("failed") == std::string::npos;
}

struct Chain {
  ScratchDir dir;
  std::string base = dir.file("base.qcow2"), mid = dir.file("mid.qcow2"), top = dir.file("top.qcow2");
  std::unique_ptr<Qemu> qemu;

  explicit Chain(int monitors = 1) {
    EXPECT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", base, "8M"}).exit_code, 0);
    EXPECT_EQ(run_program({qemu_tool("qemu-io"), "-c", "write -P 0x01 0 1M", base}).exit_code, 0);
    overlay(mid, base);
    EXPECT_EQ(run_program({qemu_tool("qemu-io"), "-c", "write -P 0x02 1M 1M", mid}).exit_code, 0);
    overlay(top, mid);
    EXPECT_EQ(run_program({qemu_tool("qemu-io"), "-c", "write -P 0x03 2M 1M", top}).exit_code, 0);
    qemu = std::make_unique<Qemu>(monitors, std::vector<std::string>{
                                                "-drive", "if=none,id=disk0,node-name=top0,file=" + top});
  }
  static void overlay(const std::string& path, const std::string& backing) {
    EXPECT_EQ(run_program({qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", "-b", backing, "-F", "qcow2", path})
                  .exit_code,
              0);
  }
  Outcome qmpc(std::vector<std::string> args, int monitor = 0) const {
    args.insert(args.begin(), {"-s", qemu->socket(monitor)});
    return run_qmpc(args, 60000ms);
  }
  std::string active_file(int monitor = 0) const {
    auto o = qmpc({"exec", "query-block"}, monitor);
    auto doc = json::parse_object("{\"r\":" + o.out + "}");
    if (!doc || !(*doc)["r"].IsArray() || (*doc)["r"].Empty()) return "?";
    const auto* inserted = json::find((*doc)["r"][0], "inserted");
    return inserted ? std::string(json::get_string(*inserted, "file").value_or("?")) : "?";
  }
  void quit() {
    qmpc({"exec", "quit"});
    qemu->wait(10000ms);
  }
};

std::string backing_of(const std::string& path) {
  auto r = run_program({qemu_tool("qemu-img"), "info", "-U", "--output=json", path});
  auto d = json::parse_object(r.out.substr(std::min(r.out.find('{'), r.out.size())));
  return d ? std::string(json::get_string(*d, "backing-filename").value_or("")) : "?";
}

// After a commit of the middle layer into the base: the device is still on the top image, which now sits on the
// base, and the base holds the middle layer's data.
void expect_middle_committed(Chain& c) {
  EXPECT_EQ(c.active_file(), c.top);
  c.quit();
  EXPECT_EQ(backing_of(c.top), c.base);
  EXPECT_TRUE(reads_as(c.base, "0x02", "1M", "1M"));
}

TEST(CliBlockJobs, ActiveCommitPivotsOnReadyAndTheDiskReadsTheBase) {
  REQUIRE_QEMU();
  Chain c;
  auto o = c.qmpc({"commit", "--device", "disk0", "--job-id", "c1", "--pivot", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_NE(o.out.find(R"("type":"ready")"), std::string::npos) << o.out;
  auto s = last_json(o);
  EXPECT_EQ(str(s, "result"), "pivoted");
  EXPECT_EQ(str(s, "job"), "c1");
  EXPECT_TRUE(s.HasMember("pivot_us") && s["pivot_us"].IsInt64());
  EXPECT_EQ(c.active_file(), c.base);
  c.quit();
  EXPECT_TRUE(reads_as(c.base, "0x03", "2M", "1M"));
  EXPECT_TRUE(reads_as(c.base, "0x02", "1M", "1M"));
}

TEST(CliBlockJobs, CommitOfAnIntermediateLayerEndsByItself) {
  REQUIRE_QEMU();
  Chain c;
  auto o = c.qmpc({"commit", "--device", "disk0", "--top", c.mid, "--base", c.base});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_EQ(o.out.rfind("completed: job ", 0), 0u) << o.out;
  EXPECT_EQ(o.out.find("pivot"), std::string::npos) << o.out;
  expect_middle_committed(c);
}

TEST(CliBlockJobs, APivotOfACommitBelowTheActiveLayerIsAUsageError) {
  REQUIRE_QEMU();
  Chain c;
  auto o = c.qmpc({"commit", "--device", "disk0", "--top", c.mid, "--pivot"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("no ready phase"), std::string::npos) << o.err;
  EXPECT_EQ(c.qmpc({"exec", "query-jobs"}).out, "[]\n");
}

TEST(CliBlockJobs, StreamMakesTheTopImageStandAlone) {
  REQUIRE_QEMU();
  Chain c;
  auto o = c.qmpc({"stream", "--device", "disk0", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_EQ(str(last_json(o), "result"), "completed");
  c.quit();
  EXPECT_EQ(backing_of(c.top), "");
  EXPECT_TRUE(reads_as(c.top, "0x01", "0", "1M"));
  EXPECT_TRUE(reads_as(c.top, "0x02", "1M", "1M"));
}

TEST(CliBlockJobs, FullBackupToAFileAndIncrementalToANode) {
  REQUIRE_QEMU();
  Chain c;
  const std::string full = c.dir.file("full.qcow2"), inc = c.dir.file("inc.qcow2");
  ASSERT_EQ(c.qmpc({"exec", "block-dirty-bitmap-add", "node=top0", "name=bm0"}).exit_code, 0);
  auto o = c.qmpc({"backup", "--device", "disk0", "--target", full, "--format", "qcow2"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_EQ(o.out.rfind("completed: job ", 0), 0u) << o.out;
  ASSERT_EQ(c.qmpc({"exec", "human-monitor-command", R"(command-line="qemu-io disk0 \"write -P 0x77 0 64k\"")"}).exit_code, 0);
  Chain::overlay(inc, full);
  ASSERT_EQ(c.qmpc({"exec", "blockdev-add",
                    R"({"driver":"qcow2","node-name":"inc0","backing":null,"file":{"driver":"file","filename":")" +
                        inc + R"("}})"})
                .exit_code,
            0);
  o = c.qmpc({"backup", "--device", "disk0", "--target", "inc0", "--sync", "incremental", "--bitmap", "bm0", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  auto s = last_json(o);
  EXPECT_EQ(str(s, "result"), "completed");
  EXPECT_EQ(json::get_uint(s, "len"), 65536u);
  c.quit();
  EXPECT_EQ(run_program({qemu_tool("qemu-img"), "compare", "-U", c.top, inc}).exit_code, 0);
  EXPECT_NE(run_program({qemu_tool("qemu-img"), "compare", "-U", c.top, full}).exit_code, 0);
}

TEST(CliBlockJobs, JobCompleteIsRefusedBeforeReadyAndAcceptedAfter) {
  REQUIRE_QEMU();
  Chain c;
  const std::string copy = c.dir.file("copy.qcow2");
  // A mirror that crawls after its first 1 MiB: offset may reach len long before it is ready.
  ASSERT_EQ(c.qmpc({"mirror", "--device", "disk0", "--target", copy, "--format", "qcow2", "--job-id", "m1",
                    "--bandwidth", "1", "--buf-size", "1M", "--detach"})
                .exit_code,
            0);
  auto list = c.qmpc({"job", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(R"("id":"m1")"), std::string::npos) << list.out;
  auto o = c.qmpc({"job", "complete", "m1"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("refusing to complete job 'm1': it is not ready (status 'running')"), std::string::npos) << o.err;
  auto info = c.qmpc({"job", "info", "m1"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(str(last_json(info), "status"), "running");

  ASSERT_EQ(c.qmpc({"job", "pause", "m1"}).exit_code, 0);
  // A job pauses at its next pause point. QEMU 5.2 does not wake a job asleep in its rate limit for that (at 1 B/s
  // it sleeps for days): the pause is recorded and its status says running until then. Later QEMUs pause at once.
  std::string status;
  for (int i = 0; i < 50 && status != "paused"; ++i) {
    if (i > 0) std::this_thread::sleep_for(100ms);
    status = str(last_json(c.qmpc({"job", "info", "m1"})), "status");
  }
  if (qmpc_test::qemu_system_version().at_least(6, 0))
    EXPECT_EQ(status, "paused");
  else
    EXPECT_TRUE(status == "paused" || status == "running") << status;
  ASSERT_EQ(c.qmpc({"job", "resume", "m1"}).exit_code, 0);
  ASSERT_EQ(c.qmpc({"job", "speed", "m1", "0"}).exit_code, 0);
  o = c.qmpc({"job", "wait", "m1", "--until", "ready", "--timeout", "30"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_EQ(str(last_json(o), "status"), "ready");
  o = c.qmpc({"job", "complete", "m1"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  o = c.qmpc({"job", "wait", "m1", "--until", "gone", "--timeout", "30"});
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_EQ(c.active_file(), copy);
}

TEST(CliBlockJobs, AttachTakesOverAMirrorWhoseQmpcWasKilledThenPivots) {
  REQUIRE_QEMU();
  Chain c(2);
  const std::string copy = c.dir.file("copy.qcow2");
  Child first({qmpc_binary(), "-s", c.qemu->socket(0), "mirror", "--device", "disk0", "--target", copy, "--format",
               "qcow2", "--job-id", "m1", "--bandwidth", "1", "--buf-size", "1M", "--pivot", "--json"});
  bool running = false;
  while (auto line = first.read_line(20000ms)) {
    if (line->find(R"("to":"running")") != std::string::npos) {
      running = true;
      break;
    }
  }
  ASSERT_TRUE(running);
  first.signal(SIGKILL);
  first.wait(10000ms);
  // The job is orphaned: still running, and a new mirror of the disk fails.
  auto again = c.qmpc({"mirror", "--device", "disk0", "--target", c.dir.file("other.qcow2"), "--format", "qcow2"});
  EXPECT_NE(again.exit_code, 0);

  Child attach({qmpc_binary(), "-s", c.qemu->socket(0), "mirror", "--attach", "m1", "--pivot", "--json"});
  // Not ready yet: no pivot until the job says so. Let it go.
  ASSERT_EQ(c.qmpc({"job", "speed", "m1", "0"}, 1).exit_code, 0);
  auto o = attach.wait(60000ms);
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  auto s = last_json(o);
  EXPECT_EQ(str(s, "result"), "pivoted");
  EXPECT_EQ(str(s, "job"), "m1");
  EXPECT_EQ(c.active_file(), copy);
}

// Reads the child's JSON lines until one contains `text`; false when it ended first.
bool read_until(Child& child, const std::string& text) {
  while (auto line = child.read_line(20000ms))
    if (line->find(text) != std::string::npos) return true;
  return false;
}

// A commit that crawls after its first chunk (1 B/s), started by `qmpc commit --detach` as job c1.
void start_crawling_commit(const Chain& c, std::vector<std::string> what) {
  std::vector<std::string> args{"commit", "--device", "disk0", "--job-id", "c1", "--bandwidth", "1", "--detach"};
  args.insert(args.end(), what.begin(), what.end());
  auto o = c.qmpc(args);
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
}

// QEMU reports type "commit" for both kinds of commit; qmpc learns from its block graph which one it attached to.
TEST(CliBlockJobs, AttachToACommitBelowTheActiveLayerWaitsForItsEndAndRefusesAPivot) {
  REQUIRE_QEMU();
  Chain c(2);
  start_crawling_commit(c, {"--top", c.mid, "--base", c.base});
  for (const char* end : {"--pivot", "--finish", "--wait-ready"}) {
    auto o = c.qmpc({"commit", "--attach", "c1", end});
    EXPECT_EQ(o.exit_code, 2) << end << ": " << o.err << o.out;
    EXPECT_NE(o.err.find("job 'c1' commits a layer below the active one: it has no ready phase"), std::string::npos)
        << o.err;
  }
  EXPECT_EQ(str(last_json(c.qmpc({"job", "info", "c1"})), "status"), "running");

  Child attach({qmpc_binary(), "-s", c.qemu->socket(0), "commit", "--attach", "c1", "--json"});
  ASSERT_TRUE(read_until(attach, R"("to":"running")"));
  ASSERT_EQ(c.qmpc({"job", "speed", "c1", "0"}, 1).exit_code, 0);
  auto o = attach.wait(60000ms);
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  auto s = last_json(o);
  EXPECT_EQ(str(s, "result"), "completed");
  EXPECT_EQ(str(s, "job"), "c1");
  EXPECT_EQ(o.out.find(R"("type":"ready")"), std::string::npos) << o.out;
  expect_middle_committed(c);
}

TEST(CliBlockJobs, AttachToAnActiveCommitPivotsOnlyOnceReady) {
  REQUIRE_QEMU();
  Chain c(2);
  start_crawling_commit(c, {});
  Child attach({qmpc_binary(), "-s", c.qemu->socket(0), "commit", "--attach", "c1", "--pivot", "--json"});
  ASSERT_TRUE(read_until(attach, R"("to":"running")"));
  // Its first chunk copied, the job sleeps in its rate limit: not ready, so nothing is completed.
  auto info = last_json(c.qmpc({"job", "info", "c1"}, 1));
  EXPECT_EQ(str(info, "status"), "running");
  EXPECT_EQ(c.active_file(1), c.top);
  ASSERT_EQ(c.qmpc({"job", "speed", "c1", "0"}, 1).exit_code, 0);
  auto o = attach.wait(60000ms);
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_NE(o.out.find(R"("type":"ready")"), std::string::npos) << o.out;
  auto s = last_json(o);
  EXPECT_EQ(str(s, "result"), "pivoted");
  EXPECT_EQ(str(s, "job"), "c1");
  EXPECT_EQ(c.active_file(), c.base);
}

// --top naming the active layer without --active would make a commit qmpc starts a lower-layer one; attached to, the
// job is what QEMU says it is.
TEST(CliBlockJobs, AttachToAnActiveCommitTakesQemusWordOverTheCommandLine) {
  REQUIRE_QEMU();
  Chain c(2);
  start_crawling_commit(c, {});
  Child attach({qmpc_binary(), "-s", c.qemu->socket(0), "commit", "--attach", "c1", "--top", c.top, "--wait-ready",
                "--json"});
  ASSERT_TRUE(read_until(attach, R"("to":"running")"));
  ASSERT_EQ(c.qmpc({"job", "speed", "c1", "0"}, 1).exit_code, 0);
  auto o = attach.wait(60000ms);
  ASSERT_EQ(o.exit_code, 0) << o.err << o.out;
  EXPECT_EQ(str(last_json(o), "result"), "ready");
  EXPECT_EQ(str(last_json(c.qmpc({"job", "info", "c1"}, 1)), "status"), "ready");
  EXPECT_EQ(c.active_file(), c.top);
}

}  // namespace
