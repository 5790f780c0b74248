// mirror::BlockJob running the job kinds other than mirror against real QEMU: an active commit pivoted on ready, a
// commit of an intermediate layer, a stream, full and incremental backups, and attaching to a running job.
// The chain is base.qcow2 <- mid.qcow2 <- top.qcow2 (4 MiB): base holds 0x01 at [0, 1M), mid 0x02 at [1M, 2M),
// top 0x03 at [2M, 3M). Contents are checked with qemu-io / qemu-img once QEMU has exited.
#include <mirror/block_job.hpp>
#include <mirror/start_command.hpp>

#include "support/co_assert.hpp"
#include "support/deadline.hpp"
#include "support/image_tools.hpp"
#include "support/process_runner.hpp"
#include "support/qemu_options.hpp"
#include "support/qemu_tools.hpp"
#include "support/temp_dir.hpp"

#include <qmp/json.hpp>
#include <qmp/machine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

namespace {

namespace asio = boost::asio;
namespace json = qmp::json;
using namespace std::chrono_literals;
using mirror::EndMode;
using mirror::JobKind;
using mirror::Outcome;
using qmpc_test::MiB;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// True when [off, off+len) of the image (through its backing chain) reads as `pattern`.
bool reads_as(const std::string& path, std::uint64_t off, std::uint64_t len, unsigned pattern) {
  char cmd[96];
  std::snprintf(cmd, sizeof cmd, "read -P 0x%02x %llu %llu", pattern, static_cast<unsigned long long>(off),
                static_cast<unsigned long long>(len));
  auto r = qmpc_test::run_process({qmpc_test::qemu_tool("qemu-io"), "-r", "-U", "-f", "qcow2", "-c", cmd, path});
  const bool ok = r.ok() && r.output.find("failed") == std::string::npos;
  if (!ok) ADD_FAILURE() << cmd << " of " << path << ":\n" << r.output;
  return ok;
}

// The backing file qemu-img records for `path` ("" for none).
std::string backing_of(const std::string& path) {
  auto r = qmpc_test::run_process({qmpc_test::qemu_tool("qemu-img"), "info", "-U", "--output=json", path});
  EXPECT_TRUE(r.ok()) << r.output;
  auto d = json::parse_object(r.output.substr(r.output.find('{')));
  if (!d) return "?";
  return std::string(json::get_string(*d, "backing-filename").value_or(""));
}

class BlockJobsQemu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!qmpc_test::qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not installed";
    base = dir.file("base.qcow2");
    mid = dir.file("mid.qcow2");
    top = dir.file("top.qcow2");
    ASSERT_TRUE(qmpc_test::create_image(base, {"qcow2", 4 * MiB, 1 * MiB, 0x01}));
    ASSERT_TRUE(overlay(mid, base));
    ASSERT_TRUE(qmpc_test::write_pattern(mid, "qcow2", 1 * MiB, 1 * MiB, 0x02));
    ASSERT_TRUE(overlay(top, mid));
    ASSERT_TRUE(qmpc_test::write_pattern(top, "qcow2", 2 * MiB, 1 * MiB, 0x03));
  }

  static bool overlay(const std::string& path, const std::string& backing) {
    auto r = qmpc_test::run_process(
        {qmpc_test::qemu_tool("qemu-img"), "create", "-q", "-f", "qcow2", "-b", backing, "-F", "qcow2", path});
    EXPECT_TRUE(r.ok()) << r.output;
    return r.ok();
  }

  asio::awaitable<bool> start_qemu() {
    machine.emplace(ioc.get_executor(),
                    qmpc_test::bare_qemu({"-drive", "if=none,id=disk0,file=" + top + ",format=qcow2,node-name=top0"}));
    auto [ec] = co_await machine->async_start(tok);
    EXPECT_FALSE(ec) << ec.message() << " " << machine->diagnostics().what;
    co_return !ec;
  }

  qmp::Session& session() { return machine->session(); }

  asio::awaitable<qmp::Reply> execute(std::string name, std::string args = "") {
    auto [ec, reply] = co_await session().async_execute(name, args, tok);
    EXPECT_FALSE(ec) << name << " " << args << ": " << reply.diagnostics.describe(ec);
    co_return reply;
  }

  // The file disk0 reads from now, and whether any node still opens `file`.
  asio::awaitable<std::string> disk0_file() {
    auto r = co_await execute("query-block");
    if (r.value().IsArray())
      for (const auto& d : r.value().GetArray())
        if (json::get_string(d, "device") == "disk0")
          if (const auto* ins = json::find(d, "inserted"))
            co_return std::string(json::get_string(*ins, "file").value_or(""));
    co_return "";
  }
  asio::awaitable<bool> node_opens(const std::string& file) {
    auto r = co_await execute("query-named-block-nodes");
    if (r.value().IsArray())
      for (const auto& n : r.value().GetArray())
        if (json::get_string(n, "file") == file) co_return true;
    co_return false;
  }

  mirror::JobOptions options(mirror::StartCommand start, EndMode mode) {
    mirror::JobOptions o;
    o.job_id = "job0";
    o.start = std::move(start);
    o.end_mode = mode;
    o.ready_timeout = 30s;
    o.completion_timeout = 30s;
    return o;
  }

  asio::awaitable<mirror::JobResult> run(mirror::JobOptions o, mirror::error_code& ec_out) {
    mirror::BlockJob job(session(), std::move(o));
    auto [ec, r] = co_await job.async_run(tok);
    ec_out = ec;
    co_return r;
  }

  asio::awaitable<void> stop_qemu() {
    auto [ec, st] = co_await machine->async_stop(qmp::StopOptions{}, tok);
    EXPECT_FALSE(ec) << ec.message();
  }

  void run_test(std::function<asio::awaitable<void>()> body, std::chrono::seconds limit = 60s) {
    qmpc_test::run_with_deadline(ioc, std::move(body), limit);
  }

  static mirror::StartCommand commit(std::optional<std::string> top_image, std::optional<std::string> base_image,
                                     std::optional<std::uint64_t> speed = std::nullopt) {
    mirror::CommitOptions c;
    c.device = "disk0";
    c.job_id = "job0";
    if (top_image) c.top = mirror::ImageRef::guess(*top_image);
    if (base_image) c.base = mirror::ImageRef::guess(*base_image);
    c.speed = speed;
    auto cmd = mirror::build_commit_command(c);
    EXPECT_TRUE(cmd);
    return cmd.value_or(mirror::StartCommand{});
  }

  qmpc_test::TempDir dir{"qmpc-blockjobs-"};
  asio::io_context ioc;
  std::optional<qmp::Machine> machine;
  std::string base, mid, top;
};

TEST_F(BlockJobsQemu, ActiveCommitPivotsOnReadyAndTheGuestReadsTheBase) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    auto cmd = commit(std::nullopt, std::nullopt);
    EXPECT_EQ(cmd.kind, JobKind::active_commit);
    bool ready_before_complete = false;
    auto o = options(cmd, EndMode::pivot);
    o.on_ready = [&](const mirror::ReadyReached&) { ready_before_complete = true; };
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::pivoted);
    EXPECT_TRUE(ready_before_complete);
    EXPECT_TRUE(r.ready_ms.has_value());
    EXPECT_TRUE(r.pivot_us.has_value());
    EXPECT_EQ(co_await disk0_file(), base);
    EXPECT_FALSE(co_await node_opens(top)) << "the committed top image is still in use";
    co_await stop_qemu();
    // The base now holds every layer's data.
    EXPECT_TRUE(reads_as(base, 0, 1 * MiB, 0x01));
    EXPECT_TRUE(reads_as(base, 1 * MiB, 1 * MiB, 0x02));
    EXPECT_TRUE(reads_as(base, 2 * MiB, 1 * MiB, 0x03));
  });
}

TEST_F(BlockJobsQemu, ActiveCommitIsNotCompletedBeforeItSaysReady) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    auto o = options(commit(std::nullopt, std::nullopt, 1), EndMode::manual);  // crawls after the first burst
    o.poll_interval = 10ms;
    bool full_progress = false;
    o.on_progress = [&](const mirror::ProgressInfo& p) { full_progress = full_progress || (p.len && p.offset == p.len); };
    mirror::BlockJob job(session(), o);
    bool done = false;
    mirror::JobResult result;
    job.async_run([&](mirror::error_code, mirror::JobResult r) {
      done = true;
      result = std::move(r);
    });
    // JOB_STATUS_CHANGE running comes before block-commit's reply; until the reply, the refusal says so instead.
    while (job.status() != mirror::JobStatus::running && !done) co_await qmpc_test::sleep_for(5ms);
    CO_ASSERT_FALSE(done) << result.diagnostics.text();
    auto refusal = job.request(mirror::Request::pivot);
    while (refusal && refusal->find("has not started yet") != std::string::npos && !done) {
      co_await qmpc_test::sleep_for(5ms);
      refusal = job.request(mirror::Request::pivot);
    }
    CO_ASSERT_TRUE(refusal.has_value());
    EXPECT_NE(refusal->find("not ready (status 'running')"), std::string::npos) << *refusal;
    co_await execute("block-job-set-speed", R"({"device":"job0","speed":0})");
    while (!job.ready() && !done) co_await qmpc_test::sleep_for(5ms);
    EXPECT_FALSE(job.request(mirror::Request::pivot).has_value());
    while (!done) co_await qmpc_test::sleep_for(5ms);
    EXPECT_EQ(result.outcome, Outcome::pivoted) << result.diagnostics.text();
    EXPECT_EQ(co_await disk0_file(), base);
    co_await stop_qemu();
  });
}

TEST_F(BlockJobsQemu, CommitOfAnIntermediateLayerEndsByItself) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    auto cmd = commit(mid, base);
    EXPECT_EQ(cmd.kind, JobKind::commit);
    bool ready = false;
    auto o = options(cmd, EndMode::run);
    o.on_ready = [&](const mirror::ReadyReached&) { ready = true; };
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::completed);
    EXPECT_FALSE(ready);
    EXPECT_FALSE(r.pivot_us.has_value());
    EXPECT_EQ(co_await disk0_file(), top);  // the active layer stays
    EXPECT_FALSE(co_await node_opens(mid));
    co_await stop_qemu();
    EXPECT_EQ(backing_of(top), base);
    EXPECT_TRUE(reads_as(base, 1 * MiB, 1 * MiB, 0x02));
    EXPECT_TRUE(reads_as(top, 0, 1 * MiB, 0x01));
    EXPECT_TRUE(reads_as(top, 1 * MiB, 1 * MiB, 0x02));
    EXPECT_TRUE(reads_as(top, 2 * MiB, 1 * MiB, 0x03));
  });
}

TEST_F(BlockJobsQemu, StreamCopiesTheChainIntoTheTopImage) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    mirror::StreamOptions s;
    s.device = "disk0";
    s.job_id = "job0";
    auto cmd = mirror::build_stream_command(s);
    CO_ASSERT_TRUE(cmd.has_value());
    mirror::error_code ec;
    auto r = co_await run(options(*cmd, EndMode::run), ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::completed);
    EXPECT_EQ(r.len, 4 * MiB);
    co_await stop_qemu();
    EXPECT_EQ(backing_of(top), "");
    EXPECT_TRUE(reads_as(top, 0, 1 * MiB, 0x01));
    EXPECT_TRUE(reads_as(top, 1 * MiB, 1 * MiB, 0x02));
    EXPECT_TRUE(reads_as(top, 2 * MiB, 1 * MiB, 0x03));
  });
}

TEST_F(BlockJobsQemu, FullThenIncrementalBackupWithABitmap) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string full = dir.file("full.qcow2"), inc = dir.file("inc.qcow2");
    CO_ASSERT_TRUE(qmpc_test::create_image(full, {"qcow2", 4 * MiB, 0, 0}));
    // The incremental image records the full one as its backing file, but QEMU does not open it (the full backup's
    // node holds it): "backing": null.
    auto add = [&](const std::string& node, const std::string& file) {
      json::Object o;
      o.add("driver", "qcow2").add("node-name", node);
      o.add("file", json::Object().add("driver", "file").add("filename", file));
      if (node == "inc0") o.add_raw("backing", "null");
      return execute("blockdev-add", o.str());
    };
    co_await add("full0", full);
    co_await execute("block-dirty-bitmap-add", R"({"node":"top0","name":"bm0"})");
    mirror::BackupOptions b;
    b.device = "disk0";
    b.job_id = "job0";
    b.target = "full0";
    auto cmd = mirror::build_backup_command(b);
    CO_ASSERT_TRUE(cmd.has_value());
    mirror::error_code ec;
    auto r = co_await run(options(*cmd, EndMode::run), ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::completed);
    co_await execute("human-monitor-command", R"({"command-line":"qemu-io disk0 \"write -P 0x77 0 64k\""})");

    CO_ASSERT_TRUE(overlay(inc, full));
    co_await add("inc0", inc);
    b.job_id = "job1";
    b.target = "inc0";
    b.sync = "incremental";
    b.bitmap = "bm0";
    cmd = mirror::build_backup_command(b);
    CO_ASSERT_TRUE(cmd.has_value());
    auto o = options(*cmd, EndMode::run);
    o.job_id = "job1";
    r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::completed);
    EXPECT_EQ(r.len, 64 * 1024u);  // only what the bitmap marked dirty
    co_await stop_qemu();
    // The incremental image over the full one is the disk as it is now.
    EXPECT_TRUE(qmpc_test::images_identical(top, inc));
    EXPECT_FALSE(qmpc_test::images_identical(top, full));
    EXPECT_TRUE(reads_as(inc, 0, 64 * 1024, 0x77));
  });
}

TEST_F(BlockJobsQemu, AttachTakesOverARunningMirrorAndPivotsOnlyOnReady) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("copy.qcow2");
    // Someone else's mirror, crawling: left running, as a qmpc that was killed leaves it.
    co_await execute("drive-mirror", json::Object()
                                         .add("job-id", "job0")
                                         .add("device", "disk0")
                                         .add("target", tgt)
                                         .add("format", "qcow2")
                                         .add("sync", "full")
                                         .add("speed", std::uint64_t{1})
                                         .str());
    mirror::JobOptions o;
    o.job_id = "job0";
    o.attach = true;
    o.end_mode = EndMode::pivot;
    o.ready_timeout = 30s;
    o.completion_timeout = 30s;
    mirror::BlockJob job(session(), o);
    bool done = false;
    mirror::error_code ec;
    mirror::JobResult result;
    job.async_run([&](mirror::error_code e, mirror::JobResult r) {
      done = true;
      ec = e;
      result = std::move(r);
    });
    while (job.status() == mirror::JobStatus::unknown && !done) co_await qmpc_test::sleep_for(5ms);
    EXPECT_EQ(job.status(), mirror::JobStatus::running);
    EXPECT_FALSE(job.ready());
    co_await execute("block-job-set-speed", R"({"device":"job0","speed":0})");
    while (!done) co_await qmpc_test::sleep_for(5ms);
    EXPECT_FALSE(ec) << ec.message() << ": " << result.diagnostics.text();
    EXPECT_EQ(result.outcome, Outcome::pivoted);
    EXPECT_EQ(co_await disk0_file(), tgt);
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(top, tgt));
  });
}

TEST_F(BlockJobsQemu, AttachToAJobQemuDoesNotHaveFails) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    mirror::JobOptions o;
    o.job_id = "nojob";
    o.attach = true;
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_EQ(ec, mirror::errc::start_failed);
    EXPECT_EQ(r.outcome, Outcome::start_failed);
    // qmpc's words: QEMU refused nothing.
    EXPECT_FALSE(r.diagnostics.from_qemu());
    EXPECT_NE(r.diagnostics.what.find("QEMU has no job 'nojob'"), std::string::npos) << r.diagnostics.what;
    co_await stop_qemu();
  });
}

}  // namespace
