// The session against a real QEMU (-M none -nodefaults -display none), started by the tests.
#include "support/deadline.hpp"
#include "support/image_tools.hpp"
#include "support/qemu_options.hpp"
#include "support/qemu_tools.hpp"
#include "support/temp_dir.hpp"

#include "qmp/machine.hpp"
#include "qmp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct SessionQemu : ::testing::Test {
  asio::io_context ioc;
  qmpc_test::TempDir dir;

  asio::awaitable<std::unique_ptr<qmp::Machine>> start(qmp::MachineOptions o) {
    auto m = std::make_unique<qmp::Machine>(ioc.get_executor(), std::move(o));
    auto [ec] = co_await m->async_start(tuple_awaitable);
    EXPECT_FALSE(ec) << m->diagnostics().what;
    co_return ec ? nullptr : std::move(m);
  }
  asio::awaitable<void> stop(qmp::Machine& m) {
    auto [ec, status] = co_await m.async_stop(qmp::StopOptions{}, tuple_awaitable);
    EXPECT_FALSE(ec) << m.diagnostics().what;
  }
};

TEST_F(SessionQemu, GreetingAndNegotiationWithoutOob) {
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto m = co_await start(qmpc_test::bare_qemu());
    if (!m) co_return;
    auto& s = m->session();
    // The greeting names the QEMU that was started (as its --version says).
    EXPECT_EQ(s.greeting().version(), qmpc_test::qemu_system_version().text);
    EXPECT_TRUE(s.greeting().offers("oob"));
    EXPECT_FALSE(s.oob_enabled());
    auto [ec, r] = co_await s.async_execute("query-status", "", tuple_awaitable);
    EXPECT_FALSE(ec);
    EXPECT_EQ(qmp::json::get_string(r.value(), "status"), "running");
    co_await stop(*m);
  });
}

TEST_F(SessionQemu, NegotiatesOobAndRunsAnOobCommand) {
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto o = qmpc_test::bare_qemu();
    o.session.enable_oob = true;
    auto m = co_await start(o);
    if (!m) co_return;
    auto& s = m->session();
    EXPECT_TRUE(s.oob_enabled());
    // QEMU allows few commands out of band; any command shows that exec-oob is accepted and answered.
    qmp::CommandOptions co;
    co.oob = true;
    auto [ec, r] = co_await s.async_execute("query-block-jobs", "", co, tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::generic_error);
    EXPECT_EQ(r.diagnostics.qmp_desc, "The command query-block-jobs does not support OOB");
    auto [ec2, r2] = co_await s.async_execute("query-status", "", tuple_awaitable);
    EXPECT_FALSE(ec2);
    co_await stop(*m);
  });
}

TEST_F(SessionQemu, ThousandPipelinedCommandsAllAnsweredInOrder) {
  qmpc_test::run_with_deadline(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto m = co_await start(qmpc_test::bare_qemu());
        if (!m) co_return;
        auto& s = m->session();
        constexpr int kCommands = 1000;
        int done = 0, failed = 0;
        std::uint64_t last_seq = 0;
        bool in_order = true;
        for (int i = 0; i < kCommands; ++i) {
          s.async_execute("query-status", "", [&](qmp::error_code ec, qmp::Reply r) {
            if (ec) ++failed;
            if (r.seq() <= last_seq) in_order = false;
            last_seq = r.seq();
            ++done;
          });
        }
        while (done < kCommands) co_await qmpc_test::sleep_for(2ms);
        EXPECT_EQ(failed, 0);
        EXPECT_TRUE(in_order);
        EXPECT_EQ(s.stats().unknown_replies, 0u);
        co_await stop(*m);
      },
      60s);
}

TEST_F(SessionQemu, ExactErrorClassesAndTexts) {
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto m = co_await start(qmpc_test::bare_qemu());
    if (!m) co_return;
    auto& s = m->session();
    auto [ec, r] = co_await s.async_execute("no-such-command", "", tuple_awaitable);
    EXPECT_EQ(ec, qmp::errc::command_not_found);
    EXPECT_EQ(r.diagnostics.qmp_class, "CommandNotFound");
    EXPECT_EQ(r.diagnostics.qmp_desc, "The command no-such-command has not been found");
    auto [ec2, r2] = co_await s.async_execute("drive-mirror", R"({"device":"x","sync":"full"})", tuple_awaitable);
    EXPECT_EQ(ec2, qmp::errc::generic_error);
    EXPECT_EQ(r2.diagnostics.qmp_desc, "Parameter 'target' is missing");
    auto [ec3, r3] = co_await s.async_execute("block-job-cancel", R"({"device":"nojob"})", tuple_awaitable);
    EXPECT_EQ(ec3, qmp::errc::device_not_active);
    EXPECT_EQ(r3.diagnostics.qmp_desc, "Block job 'nojob' not found");
    co_await stop(*m);
  });
}

TEST_F(SessionQemu, SubscriptionOpenedFirstSeesEventsThatPrecedeTheMirrorReply) {
  const std::string src = dir.file("src.qcow2"), dst = dir.file("dst.qcow2");
  ASSERT_TRUE(qmpc_test::create_image(src, {"qcow2", 16 * qmpc_test::MiB, 4 * qmpc_test::MiB, 0x5a}));
  const auto options = qmpc_test::bare_qemu({"-drive", "if=none,id=disk0,format=qcow2,node-name=src0,file=" + src});
  const qmp::EventFilter filter{{"JOB_STATUS_CHANGE"}, qmp::EventFilter::data_equals("id", "job0")};
  const std::string args = qmp::json::Object()
                               .add("device", "disk0")
                               .add("job-id", "job0")
                               .add("target", dst)
                               .add("sync", "full")
                               .add("format", "qcow2")
                               .str();
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto m = co_await start(options);
    if (!m) co_return;
    auto& s = m->session();
    auto sub = s.subscribe(filter);
    auto [ec, r] = co_await s.async_execute("drive-mirror", args, tuple_awaitable);
    EXPECT_FALSE(ec) << r.diagnostics.describe(ec);
    std::vector<std::string> states;
    std::vector<std::uint64_t> seqs;
    while (states.empty() || states.back() != "ready") {
      auto [eec, ev] = co_await sub.async_next(10s, tuple_awaitable);
      EXPECT_FALSE(eec);
      if (eec) co_return;
      states.emplace_back(qmp::json::get_string(*ev.data(), "status").value_or(std::string_view("?")));
      seqs.push_back(ev.seq());
    }
    EXPECT_GE(states.size(), 3u);
    if (states.size() < 3) co_return;
    EXPECT_EQ(states[0], "created");
    EXPECT_EQ(states[1], "running");
    // Both arrived before the reply: their sequence numbers are smaller.
    EXPECT_LT(seqs[0], r.seq());
    EXPECT_LT(seqs[1], r.seq());
    auto [cec, cr] = co_await s.async_execute("block-job-cancel", R"({"device":"job0"})", tuple_awaitable);
    EXPECT_FALSE(cec);
    co_await stop(*m);
  });
}

TEST_F(SessionQemu, PassesAFileDescriptorWithAddFd) {
  const std::string path = dir.file("fd-target.raw");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto m = co_await start(qmpc_test::bare_qemu());
    if (!m) co_return;
    auto& s = m->session();
    qmp::CommandOptions co;
    co.fds = {fd};
    auto [ec, r] = co_await s.async_execute("add-fd", R"({"fdset-id":3,"opaque":"qmpc-test"})", co, tuple_awaitable);
    EXPECT_FALSE(ec) << r.diagnostics.describe(ec);
    EXPECT_EQ(qmp::json::get_int(r.value(), "fdset-id"), 3);
    auto [ec2, r2] = co_await s.async_execute("query-fdsets", "", tuple_awaitable);
    EXPECT_FALSE(ec2);
    const std::string text = qmp::json::to_string(r2.value());
    EXPECT_NE(text.find("\"qmpc-test\""), std::string::npos) << text;
    // getfd takes a named descriptor the same way.
    auto [ec3, r3] = co_await s.async_execute("getfd", R"({"fdname":"f0"})", co, tuple_awaitable);
    EXPECT_FALSE(ec3) << r3.diagnostics.describe(ec3);
    co_await stop(*m);
  });
  ::close(fd);
}

TEST_F(SessionQemu, QuitGivesShutdownThenReplyOrEof) {
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto m = co_await start(qmpc_test::bare_qemu());
    if (!m) co_return;
    auto& s = m->session();
    auto sub = s.subscribe({{"SHUTDOWN"}, {}});
    auto [ec, r] = co_await s.async_execute("quit", "", tuple_awaitable);
    // QEMU answers {"return": {}} or resets the connection first (qemu-facts: ECONNRESET in most runs).
    EXPECT_TRUE(!ec || ec == qmp::errc::connection_lost) << ec.message();
    auto [sec, ev] = co_await sub.async_next(5s, tuple_awaitable);
    EXPECT_FALSE(sec);
    EXPECT_EQ(ev.event_name(), "SHUTDOWN");
    EXPECT_EQ(qmp::json::get_string(*ev.data(), "reason"), "host-qmp-quit");
    auto [cec] = co_await s.async_wait_closed(5s, tuple_awaitable);
    EXPECT_FALSE(cec);
    auto [wec, status] = co_await m->async_wait_exit(5s, tuple_awaitable);
    EXPECT_FALSE(wec);
    EXPECT_TRUE(status.exited);
    EXPECT_EQ(status.code, 0);
  });
}

TEST_F(SessionQemu, SigkillFailsEveryPendingCommandWithConnectionLostWithinItsDeadline) {
  const std::string src = dir.file("slow.qcow2");
  ASSERT_TRUE(qmpc_test::create_image(src, {"qcow2", 16 * qmpc_test::MiB, 1 * qmpc_test::MiB, 0x11}));
  qmpc_test::run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto m = co_await start(qmpc_test::bare_qemu());
    if (!m) co_return;
    auto& s = m->session();
    constexpr int kCommands = 50;
    int lost = 0, done = 0;
    qmp::CommandOptions co;
    co.timeout = 5s;
    for (int i = 0; i < kCommands; ++i) {
      s.async_execute("query-status", "", co, [&](qmp::error_code ec, qmp::Reply) {
        if (ec == qmp::errc::connection_lost) ++lost;
        ++done;
      });
    }
    m->kill(SIGKILL);
    const auto t0 = std::chrono::steady_clock::now();
    while (done < kCommands) co_await qmpc_test::sleep_for(2ms);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    // Some may have been answered before the kill landed; the rest failed as connection lost, none hung.
    EXPECT_GT(lost, 0);
    EXPECT_EQ(s.failure(), qmp::errc::connection_lost);
    auto [wec, status] = co_await m->async_wait_exit(5s, tuple_awaitable);
    EXPECT_FALSE(wec);
    EXPECT_EQ(status.signal, SIGKILL);
  });
}

}  // namespace
