// mirror::MirrorJob against real QEMU 7.2: pivots, finishes, cancels, I/O errors injected with blkdebug, QEMU
// going away. Disks are 16 MiB qcow2 images made with qemu-img in a temporary directory; the guest writes through
// HMP "qemu-io"; contents are checked with qemu-img compare / qemu-io once QEMU has exited.
#include <mirror/mirror_job.hpp>

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

#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>

namespace {

namespace asio = boost::asio;
namespace json = qmp::json;
using namespace std::chrono_literals;
using mirror::EndMode;
using mirror::Outcome;
using qmpc_test::MiB;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

std::string hex(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// True when [off, off+len) of the image reads as `pattern` (qemu-io read -P), judged by exit code and output.
bool reads_as(const std::string& path, const std::string& fmt, std::uint64_t off, std::uint64_t len,
              std::uint8_t pattern) {
  auto r = qmpc_test::run_process({qmpc_test::qemu_tool("qemu-io"), "-r", "-U", "-f", fmt, "-c",
                                   "read -P " + hex(pattern) + " " + std::to_string(off) + " " + std::to_string(len),
                                   path});
  const bool ok = r.ok() && r.output.find("verification failed") == std::string::npos &&
                  r.output.find("failed") == std::string::npos;
  if (!ok) ADD_FAILURE() << "read -P " << hex(pattern) << " at " << off << " of " << path << ":\n" << r.output;
  return ok;
}

void make_raw(const std::string& path, std::uint64_t size) {
  std::ofstream f(path, std::ios::binary);
  f.close();
  std::filesystem::resize_file(path, size);
}

// The outcome of a run handed to a plain callback, so the test can act while the job runs.
struct RunState {
  bool done = false;
  mirror::error_code ec;
  mirror::MirrorResult result;
  std::vector<mirror::ProgressInfo> progress;
  std::vector<mirror::PausedByError> paused;
  std::uint64_t job_errors = 0;
};

class MirrorQemu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!qmpc_test::qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not installed";
    src = dir.file("src.qcow2");
    ASSERT_TRUE(qmpc_test::create_image(src, {"qcow2", 16 * MiB, 8 * MiB, 0x11}));
  }

  // QEMU with disk0 (src0) and, optionally, more -drive / -blockdev options.
  asio::awaitable<bool> start_qemu(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-drive", "if=none,id=disk0,file=" + src + ",format=qcow2,node-name=src0"};
    args.insert(args.end(), extra.begin(), extra.end());
    machine.emplace(ioc.get_executor(), qmpc_test::bare_qemu(args));
    auto [ec] = co_await machine->async_start(tok);
    EXPECT_FALSE(ec) << ec.message() << " " << machine->diagnostics().what;
    co_return !ec;
  }

  qmp::Session& session() { return machine->session(); }

  asio::awaitable<qmp::Reply> execute(std::string name, std::string args = "", bool must_succeed = true) {
    auto [ec, reply] = co_await session().async_execute(name, args, tok);
    if (must_succeed) {
      EXPECT_FALSE(ec) << name << " " << args << ": " << reply.diagnostics.describe(ec);
    }
    co_return reply;
  }

  asio::awaitable<void> guest_write(std::uint8_t pattern, std::uint64_t off, std::uint64_t len) {
    auto cmd = "qemu-io disk0 \"write -P " + hex(pattern) + " " + std::to_string(off) + " " + std::to_string(len) + "\"";
    auto r = co_await execute("human-monitor-command", json::Object().add("command-line", cmd).str());
    if (r.value().IsString()) {
      EXPECT_EQ(json::view(r.value()).find("error"), std::string::npos) << json::view(r.value());
    }
  }

  // A raw target node "tgt" over `path`, with blkdebug error injection when `inject` (a JSON array) is given.
  asio::awaitable<void> add_raw_target(const std::string& path, std::uint64_t size, std::string inject = {}) {
    make_raw(path, size);
    json::Object file;
    file.add("driver", "file").add("filename", path);
    json::Object node;
    node.add("driver", "raw").add("node-name", "tgt");
    if (inject.empty()) {
      node.add("file", file);
    } else {
      json::Object dbg;
      dbg.add("driver", "blkdebug").add_raw("inject-error", inject).add("image", file);
      node.add("file", dbg);
    }
    co_await execute("blockdev-add", node.str());
  }

  // The file (and node name) disk0 reads from now.
  asio::awaitable<std::pair<std::string, std::string>> disk0_backend() {
    auto r = co_await execute("query-block");
    std::pair<std::string, std::string> out;
    if (r.value().IsArray())
      for (const auto& d : r.value().GetArray())
        if (json::get_string(d, "device") == "disk0")
          if (const auto* ins = json::find(d, "inserted")) {
            out.first = std::string(json::get_string(*ins, "file").value_or(""));
            out.second = std::string(json::get_string(*ins, "node-name").value_or(""));
          }
    co_return out;
  }

  mirror::MirrorOptions blockdev_options(EndMode mode = EndMode::pivot) {
    mirror::MirrorOptions o;
    o.device = "src0";
    o.target = mirror::BlockdevTarget{"tgt"};
    o.job_id = "job0";
    o.end_mode = mode;
    o.ready_timeout = 30s;
    o.completion_timeout = 30s;
    return o;
  }

  // Starts `job` with a callback recording into `st` (with progress and error reports).
  void launch(mirror::MirrorJob& job, RunState& st) {
    job.async_run([&st](mirror::error_code ec, mirror::MirrorResult r) {
      st.done = true;
      st.ec = ec;
      st.result = std::move(r);
    });
  }
  static void record(mirror::MirrorOptions& o, RunState& st) {
    o.on_progress = [&st](const mirror::ProgressInfo& p) { st.progress.push_back(p); };
    o.on_paused_by_error = [&st](const mirror::PausedByError& p) { st.paused.push_back(p); };
    o.on_job_error = [&st](const mirror::JobErrorReported&) { ++st.job_errors; };
  }

  asio::awaitable<bool> wait_until(std::function<bool()> cond, std::chrono::milliseconds limit = 20s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
      if (std::chrono::steady_clock::now() > end) co_return false;
      co_await qmpc_test::sleep_for(5ms);
    }
    co_return true;
  }

  asio::awaitable<mirror::MirrorResult> run(mirror::MirrorOptions o, mirror::error_code& ec_out) {
    mirror::MirrorJob job(session(), std::move(o));
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

  qmpc_test::TempDir dir{"qmpc-mirror-"};
  asio::io_context ioc;
  std::optional<qmp::Machine> machine;
  std::string src;
};

TEST_F(MirrorQemu, DriveMirrorPivotsToTheTargetFile) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.qcow2");
    mirror::MirrorOptions o;
    o.device = "disk0";
    o.target = mirror::DriveTarget{tgt, "qcow2", mirror::DriveTarget::Mode::absolute_paths};
    o.job_id = "job0";
    o.ready_timeout = 30s;
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::pivoted);
    EXPECT_EQ(r.job_id, "job0");
    EXPECT_GT(r.len, 0u);  // drive-mirror from a qcow2: len counts allocated bytes, not the disk size
    EXPECT_EQ(r.offset, r.len);
    EXPECT_TRUE(r.ready_ms.has_value());
    EXPECT_TRUE(r.pivot_us.has_value());
    EXPECT_TRUE(r.job_commands);
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(file, tgt);
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

TEST_F(MirrorQemu, BlockdevMirrorPivotsToTheTargetNode) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB);
    RunState st;
    auto o = blockdev_options();
    o.poll_interval = 20ms;
    record(o, st);
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::pivoted);
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(node, "tgt");
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

// Writes before and after the copy cursor, after ready and after the pivot all end up on the target.
TEST_F(MirrorQemu, GuestWritesDuringEveryPhaseReachTheTarget) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB);
    RunState st;
    auto o = blockdev_options(EndMode::manual);
    o.speed = 1;  // the first burst is buf-size; then the job crawls
    o.buf_size = 1 * MiB;
    o.poll_interval = 10ms;
    record(o, st);
    mirror::MirrorJob job(session(), o);
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return !st.progress.empty() && st.progress.back().offset >= 1 * MiB; }));
    co_await guest_write(0x22, 0, 512 * 1024);        // behind the cursor
    co_await guest_write(0x33, 12 * MiB, 1 * MiB);    // ahead of it
    co_await execute("block-job-set-speed", R"({"device":"job0","speed":0})");
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    co_await guest_write(0x44, 4 * MiB, 1 * MiB);     // after ready
    EXPECT_EQ(job.request(mirror::Request::pivot), std::nullopt);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_FALSE(st.ec) << st.ec.message() << ": " << st.result.diagnostics.text();
    EXPECT_EQ(st.result.outcome, Outcome::pivoted);
    co_await guest_write(0x55, 14 * MiB, 1 * MiB);    // after the pivot: only the target has it
    co_await stop_qemu();
    EXPECT_TRUE(reads_as(tgt, "raw", 0, 512 * 1024, 0x22));
    EXPECT_TRUE(reads_as(tgt, "raw", 12 * MiB, 1 * MiB, 0x33));
    EXPECT_TRUE(reads_as(tgt, "raw", 4 * MiB, 1 * MiB, 0x44));
    EXPECT_TRUE(reads_as(tgt, "raw", 14 * MiB, 1 * MiB, 0x55));
    EXPECT_TRUE(reads_as(tgt, "raw", 1 * MiB, 3 * MiB, 0x11));
    EXPECT_TRUE(reads_as(src, "qcow2", 14 * MiB, 1 * MiB, 0x00));
  });
}

// Progress at 100% (offset == len) is not ready: a pivot is refused until the job says so.
TEST_F(MirrorQemu, FullProgressWithoutReadyRefusesThePivot) {
  src = dir.file("small.qcow2");
  ASSERT_TRUE(qmpc_test::create_image(src, {"qcow2", 1 * MiB, 1 * MiB, 0x11}));
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 1 * MiB);
    RunState st;
    auto o = blockdev_options(EndMode::manual);
    o.speed = 1;
    o.buf_size = 1 * MiB;
    o.poll_interval = 10ms;
    record(o, st);
    mirror::MirrorJob job(session(), o);
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return !st.progress.empty() && st.progress.back().offset == st.progress.back().len && st.progress.back().len > 0;
    }));
    co_await qmpc_test::sleep_for(100ms);
    EXPECT_FALSE(job.ready());
    EXPECT_FALSE(st.progress.back().ready);
    auto refused = job.request(mirror::Request::pivot);
    CO_ASSERT_TRUE(refused.has_value());
    EXPECT_NE(refused->find("not ready"), std::string::npos) << *refused;
    co_await execute("block-job-set-speed", R"({"device":"job0","speed":0})");
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    EXPECT_EQ(job.request(mirror::Request::pivot), std::nullopt);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_EQ(st.result.outcome, Outcome::pivoted) << mirror::to_string(st.result.outcome) << ": "
        << st.result.diagnostics.text();
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

TEST_F(MirrorQemu, CancelBeforeReadyLeavesTheSourceActiveAndUnchanged) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    RunState st;
    auto o = blockdev_options(EndMode::manual);
    o.speed = 1;
    o.buf_size = 1 * MiB;
    mirror::MirrorJob job(session(), o);
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.status() == mirror::JobStatus::running; }));
    EXPECT_EQ(job.request(mirror::Request::abort), std::nullopt);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_FALSE(st.ec) << st.ec.message() << ": " << st.result.diagnostics.text();
    EXPECT_EQ(st.result.outcome, Outcome::cancelled);
    EXPECT_LT(st.result.offset, st.result.len);
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(file, src);
    co_await stop_qemu();
    EXPECT_TRUE(reads_as(src, "qcow2", 0, 8 * MiB, 0x11));
  });
}

TEST_F(MirrorQemu, FinishAfterReadyKeepsTheSourceAndLeavesACopy) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB);
    mirror::error_code ec;
    auto r = co_await run(blockdev_options(EndMode::finish), ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::finished);
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(node, "src0");
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

TEST_F(MirrorQemu, ForceCancelAfterReady) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    mirror::error_code ec;
    auto r = co_await run(blockdev_options(EndMode::abort), ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::cancelled);
    EXPECT_TRUE(r.ready_ms.has_value());
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(node, "src0");
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, PauseAndResumeWhileReadyThenPivot) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB);
    RunState st;
    auto o = blockdev_options(EndMode::manual);
    mirror::MirrorJob job(session(), o);
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    co_await execute("job-pause", R"({"id":"job0"})");
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.status() == mirror::JobStatus::standby; }));
    EXPECT_TRUE(job.ready());
    EXPECT_EQ(job.request(mirror::Request::pivot), std::nullopt);  // accepted in standby, acts on resume
    co_await qmpc_test::sleep_for(50ms);
    EXPECT_FALSE(st.done);
    co_await execute("job-resume", R"({"id":"job0"})");
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_FALSE(st.ec) << st.ec.message() << ": " << st.result.diagnostics.text();
    EXPECT_EQ(st.result.outcome, Outcome::pivoted);
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

// QEMU refuses a soft cancel while the job is paused ("... is currently paused"); qmpc retries it on resume.
TEST_F(MirrorQemu, FinishWhilePausedIsRetriedOnResume) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB);
    RunState st;
    mirror::MirrorJob job(session(), blockdev_options(EndMode::manual));
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    co_await execute("job-pause", R"({"id":"job0"})");
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.status() == mirror::JobStatus::standby; }));
    EXPECT_EQ(job.request(mirror::Request::finish), std::nullopt);
    co_await qmpc_test::sleep_for(100ms);
    EXPECT_FALSE(st.done);
    co_await execute("job-resume", R"({"id":"job0"})");
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_FALSE(st.ec) << st.ec.message() << ": " << st.result.diagnostics.text();
    EXPECT_EQ(st.result.outcome, Outcome::finished);
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(node, "src0");
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

TEST_F(MirrorQemu, ManualFinalizeAndDismiss) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB);
    auto o = blockdev_options();
    o.auto_finalize = false;
    o.auto_dismiss = false;
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::pivoted);
    auto jobs = co_await execute("query-jobs");
    EXPECT_EQ(json::to_string(jobs.value()), "[]");
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(node, "tgt");
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

constexpr const char* kOnceEio = R"([{"event":"write_aio","errno":5,"sector":8192,"once":true}])";

TEST_F(MirrorQemu, TargetIoErrorWithReportFailsWithQemusWords) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB, kOnceEio);
    auto o = blockdev_options();
    o.on_target_error = "report";
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::job_failed));
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.diagnostics.text(), "Input/output error");
    EXPECT_GE(r.error_events, 1u);
    auto [file, node] = co_await disk0_backend();
    EXPECT_EQ(node, "src0");
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, TargetIoErrorWithStopIsResumedThenPivoted) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB, kOnceEio);
    RunState st;
    auto o = blockdev_options();
    o.on_target_error = "stop";
    o.max_resumes = 1;
    record(o, st);
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::pivoted);
    EXPECT_EQ(r.resumes, 1u);
    CO_ASSERT_EQ(st.paused.size(), 1u);
    EXPECT_EQ(st.paused[0].io_status, "failed");
    EXPECT_NE(st.paused[0].message.find("I/O error"), std::string::npos) << st.paused[0].message;
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

TEST_F(MirrorQemu, TargetIoErrorWithStopAndNoResumesIsAborted) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB, kOnceEio);
    auto o = blockdev_options();
    o.on_target_error = "stop";
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::job_cancelled));
    EXPECT_EQ(r.outcome, Outcome::cancelled);
    EXPECT_NE(r.diagnostics.text().find("I/O error"), std::string::npos) << r.diagnostics.text();
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, NoSpaceOnTheTargetIsReportedAsSuchAndResumed) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    co_await add_raw_target(tgt, 16 * MiB, R"([{"event":"write_aio","errno":28,"sector":8192,"once":true}])");
    RunState st;
    auto o = blockdev_options();
    o.on_target_error = "enospc";
    o.max_resumes = 1;
    record(o, st);
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::pivoted);
    CO_ASSERT_EQ(st.paused.size(), 1u);
    EXPECT_EQ(st.paused[0].io_status, "nospace");
    EXPECT_NE(st.paused[0].message.find("no space"), std::string::npos) << st.paused[0].message;
    co_await stop_qemu();
    EXPECT_TRUE(qmpc_test::images_identical(src, tgt));
  });
}

// A write error after ready: standby with ready:true but io-status failed; no pivot until it was resumed.
TEST_F(MirrorQemu, ErrorAfterReadyBlocksThePivotUntilResumed) {
  // QEMU 5.2 aborts on the resume ("job_state_transition: Assertion `JobSTT[s0][s1]' failed"); 7.2 and 10.0 do
  // not (versions in between were not tried).
  if (!qmpc_test::qemu_system_version().at_least(7, 2))
    GTEST_SKIP() << "QEMU " << qmpc_test::qemu_system_version().text
        << " aborts when an error-stopped ready job is resumed";
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    const std::string tgt = dir.file("tgt.raw");
    // Sector 30720 = 15 MiB: beyond the data, only a guest write after ready reaches it.
    co_await add_raw_target(tgt, 16 * MiB, R"([{"event":"write_aio","errno":5,"sector":30720,"once":true}])");
    RunState st;
    auto o = blockdev_options(EndMode::manual);
    o.on_target_error = "stop";
    o.max_resumes = 1;
    record(o, st);
    mirror::MirrorJob job(session(), o);
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    co_await guest_write(0x66, 15 * MiB, 512 * 1024);
    CO_ASSERT_TRUE(co_await wait_until([&] { return !st.paused.empty(); }));
    EXPECT_EQ(st.paused[0].io_status, "failed");
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.status() == mirror::JobStatus::ready; }));
    EXPECT_EQ(job.request(mirror::Request::pivot), std::nullopt);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_EQ(st.result.outcome, Outcome::pivoted) << st.result.diagnostics.text();
    co_await stop_qemu();
    EXPECT_TRUE(reads_as(tgt, "raw", 15 * MiB, 512 * 1024, 0x66));
  });
}

// A permanent target error with on-target-error ignore floods BLOCK_JOB_ERROR; the soft cancel never ends and is
// forced after its deadline (QEMU 7.2, 10.0). QEMU 5.2 ends the soft-cancelled job as cancelled by itself.
TEST_F(MirrorQemu, IgnoreFloodEndsWithTheForcedCancelFallback) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB, R"([{"event":"write_aio","errno":5,"sector":30720}])");
    RunState st;
    auto o = blockdev_options(EndMode::manual);
    o.on_target_error = "ignore";
    o.soft_cancel_timeout = 1s;
    record(o, st);
    mirror::MirrorJob job(session(), o);
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    co_await guest_write(0x77, 15 * MiB, 64 * 1024);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.job_errors > 0; }));
    EXPECT_EQ(job.request(mirror::Request::finish), std::nullopt);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_EQ(st.result.outcome, Outcome::cancelled);
    EXPECT_NE(st.result.diagnostics.text().find("soft cancel"), std::string::npos) << st.result.diagnostics.text();
    EXPECT_GT(st.result.error_events, qmpc_test::qemu_system_version().at_least(7, 2) ? 1u : 0u);
    EXPECT_EQ(st.job_errors, 1u);  // reported once, counted always
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, SourceReadErrorFailsTheJob) {
  const std::string raw_src = dir.file("src.raw");
  make_raw(raw_src, 16 * MiB);
  ASSERT_TRUE(qmpc_test::write_pattern(raw_src, "raw", 0, 8 * MiB, 0x11));
  run_test([&]() -> asio::awaitable<void> {
    machine.emplace(ioc.get_executor(),
                    qmpc_test::bare_qemu({"-blockdev",
                                          R"({"driver":"raw","node-name":"src0","file":{"driver":"blkdebug",)"
                                          R"("inject-error":[{"event":"read_aio","errno":5,"sector":4096}],)"
                                          R"("image":{"driver":"file","filename":")" +
                                              raw_src + R"("}}})"}));
    auto [sec] = co_await machine->async_start(tok);
    CO_ASSERT_FALSE(sec) << machine->diagnostics().what;
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    auto o = blockdev_options();
    o.on_source_error = "report";
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::job_failed));
    EXPECT_EQ(r.diagnostics.text(), "Input/output error");
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, SizeMismatchFailsWithQemusWords) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 8 * MiB);
    mirror::error_code ec;
    auto r = co_await run(blockdev_options(), ec);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::job_failed));
    EXPECT_EQ(r.outcome, Outcome::failed);
    // QEMU's words: 7.2 and later name the problem; 5.2 only says "Invalid argument".
    EXPECT_EQ(r.diagnostics.text(), qmpc_test::qemu_system_version().at_least(7, 2) ? "Source and target image have different sizes"
                                                                        : "Invalid argument");
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, DuplicateJobIdIsAStartFailure) {
  const std::string src1 = dir.file("src1.qcow2");
  ASSERT_TRUE(qmpc_test::create_image(src1, {"qcow2", 16 * MiB, 1 * MiB, 0x22}));
  run_test([&]() -> asio::awaitable<void> {
    std::vector<std::string> disk1{"-drive", "if=none,id=disk1,file=" + src1 + ",format=qcow2,node-name=src1"};
    CO_ASSERT_TRUE(co_await start_qemu(disk1));
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    co_await execute("blockdev-mirror",
                     R"({"job-id":"job0","device":"src0","target":"tgt","sync":"full","speed":1,"buf-size":1048576})");
    mirror::MirrorOptions o;
    o.device = "disk1";
    o.target = mirror::DriveTarget{dir.file("t1.qcow2"), "qcow2"};
    o.job_id = "job0";
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::start_failed));
    EXPECT_EQ(r.outcome, Outcome::start_failed);
    // QEMU's words, kept apart: its class and desc, nothing of qmpc's.
    EXPECT_TRUE(r.diagnostics.from_qemu());
    EXPECT_EQ(r.diagnostics.qmp_class, "GenericError");
    EXPECT_EQ(r.diagnostics.qmp_desc, "Job ID 'job0' already in use");
    EXPECT_EQ(r.diagnostics.what, "");
    EXPECT_EQ(r.diagnostics.text(), "Job ID 'job0' already in use");
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, QuitMidJobReportsTheCancelByQemu) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    RunState st;
    mirror::MirrorJob job(session(), blockdev_options(EndMode::manual));
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    co_await execute("quit", "", false);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_EQ(st.ec, mirror::make_error_code(mirror::errc::job_cancelled));
    EXPECT_EQ(st.result.outcome, Outcome::cancelled);
    EXPECT_NE(st.result.diagnostics.text().find("host-qmp-quit"), std::string::npos) << st.result.diagnostics.text();
    auto [wec, status] = co_await machine->async_wait_exit(10s, tok);
    EXPECT_FALSE(wec) << wec.message();
  });
}

TEST_F(MirrorQemu, SigkillMidJobEndsWithAClearErrorWithoutHanging) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    RunState st;
    auto o = blockdev_options(EndMode::manual);
    o.poll_interval = 10ms;
    mirror::MirrorJob job(session(), o);
    launch(job, st);
    CO_ASSERT_TRUE(co_await wait_until([&] { return job.ready(); }));
    machine->kill(SIGKILL);
    CO_ASSERT_TRUE(co_await wait_until([&] { return st.done; }));
    EXPECT_EQ(st.ec, mirror::make_error_code(mirror::errc::outcome_unknown));
    EXPECT_EQ(st.result.outcome, Outcome::unknown);
    EXPECT_NE(st.result.diagnostics.text().find("connection"), std::string::npos) << st.result.diagnostics.text();
    auto [wec, status] = co_await machine->async_wait_exit(10s, tok);
    EXPECT_FALSE(wec) << wec.message();
  });
}

TEST_F(MirrorQemu, ReadyDeadlineAbortsAndSaysSo) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    auto o = blockdev_options();
    o.speed = 1;
    o.buf_size = 1 * MiB;
    o.ready_timeout = 300ms;
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_EQ(ec, mirror::make_error_code(mirror::errc::deadline_expired));
    EXPECT_EQ(r.outcome, Outcome::cancelled);
    EXPECT_EQ(r.deadline, mirror::Timer::ready);
    EXPECT_NE(r.diagnostics.text().find("ready deadline"), std::string::npos) << r.diagnostics.text();
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, WaitReadyLeavesAReadyJobRunning) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    mirror::error_code ec;
    auto r = co_await run(blockdev_options(EndMode::wait_ready), ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::ready);
    auto jobs = co_await execute("query-block-jobs");
    CO_ASSERT_TRUE(jobs.value().IsArray());
    CO_ASSERT_EQ(jobs.value().Size(), 1u);
    EXPECT_EQ(json::get_bool(jobs.value()[0], "ready"), true);
    co_await stop_qemu();
  });
}

TEST_F(MirrorQemu, DetachReturnsOnceTheJobStarted) {
  run_test([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await start_qemu());
    co_await add_raw_target(dir.file("tgt.raw"), 16 * MiB);
    auto o = blockdev_options(EndMode::detach);
    o.speed = 1;
    o.buf_size = 1 * MiB;
    mirror::error_code ec;
    auto r = co_await run(o, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << r.diagnostics.text();
    EXPECT_EQ(r.outcome, Outcome::detached);
    auto jobs = co_await execute("query-jobs");
    CO_ASSERT_TRUE(jobs.value().IsArray());
    CO_ASSERT_EQ(jobs.value().Size(), 1u);
    EXPECT_EQ(json::get_string(jobs.value()[0], "id"), "job0");
    co_await stop_qemu();
  });
}

}  // namespace
