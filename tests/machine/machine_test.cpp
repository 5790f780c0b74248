// qmp::Machine against a real QEMU (-M none), and against /bin/sh standing in for a QEMU that never answers.
#include "qmp/machine.hpp"

#include "support/co_assert.hpp"
#include "support/deadline.hpp"
#include "support/qemu_options.hpp"
#include "support/qemu_tools.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_test::bare_qemu;
using qmpc_test::run_with_deadline;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

class MachineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!qmpc_test::qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not installed";
  }
  asio::io_context ioc;
};

// True when `pid` is no child of ours any more (reaped, not a zombie).
bool reaped(pid_t pid) {
  int st;
  return ::waitpid(pid, &st, WNOHANG) < 0 && errno == ECHILD;
}

// The state letter of /proc/PID/stat ('T' when stopped), or '?'.
char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() ? stat[close_paren + 2] : '?';
}

// A shell that ignores SIGTERM and never greets: a QEMU that hangs before its monitor is up.
qmp::MachineOptions unresponsive_process() {
  qmp::MachineOptions o;
  o.binary = "/bin/sh";
  o.bare = false;
  o.args = {"-c", "trap '' TERM; exec sleep 100"};
  o.start_timeout = 300ms;
  return o;
}

TEST_F(MachineTest, StartsBareQemuOnASocketpairAndStopsItWithQuit) {
  qmp::Machine m(ioc.get_executor(), bare_qemu());
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    CO_ASSERT_FALSE(ec) << ec.message() << ": " << m.diagnostics().what;
    EXPECT_TRUE(m.running());
    EXPECT_GT(m.pid(), 0);
    EXPECT_TRUE(m.socket_path().empty());
    EXPECT_EQ(m.session().greeting().major, qmpc_test::qemu_system_version().major);
    EXPECT_EQ(m.session().greeting().minor, qmpc_test::qemu_system_version().minor);

    auto [qec, reply] = co_await m.session().async_execute("query-status", "", tok);
    EXPECT_FALSE(qec) << qec.message();
    EXPECT_TRUE(reply.value().IsObject());

    auto [sec, status] = co_await m.async_stop({}, tok);
    EXPECT_FALSE(sec) << m.diagnostics().what;
    EXPECT_TRUE(status.exited);
    EXPECT_EQ(status.code, 0);
    EXPECT_FALSE(m.running());

    // A second stop only reports how it ended.
    auto [sec2, again] = co_await m.async_stop({}, tok);
    EXPECT_FALSE(sec2);
    EXPECT_EQ(again.code, 0);
    CO_ASSERT_TRUE(m.session().shutdown_event().has_value());
    EXPECT_EQ(qmp::json::get_string(*m.session().shutdown_event()->data(), "reason"), "host-qmp-quit");
  });
  EXPECT_TRUE(reaped(m.pid()));
}

TEST_F(MachineTest, DeferredOperationsRunOnTheStateOfAMachineMovedAfterTheyWereMade) {
  std::optional<qmp::Machine> first(std::in_place, ioc.get_executor(), bare_qemu());
  auto start = first->async_start(asio::deferred);
  auto stop = first->async_stop({}, asio::deferred);
  qmp::Machine moved(std::move(*first));
  first.reset();  // the object the operations were made from is gone
  bool started = false;
  std::optional<qmp::ExitStatus> ended;
  std::move(start)([&](qmp::error_code ec) {
    EXPECT_FALSE(ec) << ec.message() << ": " << moved.diagnostics().what;
    started = true;
    std::move(stop)([&](qmp::error_code sec, qmp::ExitStatus st) {
      EXPECT_FALSE(sec) << sec.message();
      ended = st;
    });
  });
  ioc.run_for(20s);
  EXPECT_TRUE(started);
  ASSERT_TRUE(ended);
  EXPECT_TRUE(ended->exited);
  EXPECT_EQ(ended->code, 0);
  EXPECT_FALSE(moved.running());
  EXPECT_TRUE(reaped(moved.pid()));
}

TEST_F(MachineTest, StartsOnAUnixSocketInAPrivateDirectory) {
  auto o = bare_qemu();
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  std::filesystem::path dir;
  {
    qmp::Machine m(ioc.get_executor(), o);
    run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
      auto [ec] = co_await m.async_start(tok);
      CO_ASSERT_FALSE(ec) << ec.message() << ": " << m.diagnostics().what;
      CO_ASSERT_FALSE(m.socket_path().empty());
      dir = std::filesystem::path(m.socket_path()).parent_path();
      struct stat st {};
      CO_ASSERT_EQ(::stat(dir.c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0700u);
      EXPECT_EQ(m.session().greeting().version(), qmpc_test::qemu_system_version().text);
      auto [qec, reply] = co_await m.session().async_execute("query-version", "", tok);
      EXPECT_FALSE(qec) << qec.message();
    });
  }
  EXPECT_FALSE(dir.empty());
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the private directory outlived the Machine";
}

TEST_F(MachineTest, ADeepTmpdirFallsBackToTmpForTheSocket) {
  qmpc_test::TempDir base;
  auto deep = base.path() / std::string(60, 'd') / std::string(60, 'e');
  std::filesystem::create_directories(deep);
  const char* old_tmpdir = std::getenv("TMPDIR");
  const std::string saved = old_tmpdir ? old_tmpdir : "";
  ::setenv("TMPDIR", deep.c_str(), 1);
  auto o = bare_qemu();
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  qmp::Machine m(ioc.get_executor(), o);
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    EXPECT_FALSE(ec) << ec.message() << ": " << m.diagnostics().what;
    EXPECT_EQ(m.socket_path().rfind("/tmp/qmpc-", 0), 0u) << m.socket_path();
  });
  if (old_tmpdir) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  EXPECT_TRUE(std::filesystem::is_empty(deep)) << "a private directory was left in TMPDIR";
}

TEST_F(MachineTest, WithoutHoldingTheSessionAnotherClientCanConnect) {
  auto o = bare_qemu();
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  o.hold_session = false;
  qmp::Machine m(ioc.get_executor(), o);
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    CO_ASSERT_FALSE(ec) << ec.message() << ": " << m.diagnostics().what;
    EXPECT_FALSE(m.session().is_open());

    qmp::Session other(ioc.get_executor());
    auto [cec] = co_await other.async_connect(m.socket_path(), tok);
    CO_ASSERT_FALSE(cec) << cec.message() << ": " << other.failure_diagnostics().what;
    auto [qec, reply] = co_await other.async_execute("query-status", "", tok);
    EXPECT_FALSE(qec) << qec.message();
    other.close();

    // No session of its own: stop goes straight to SIGTERM, which QEMU obeys.
    auto [sec, status] = co_await m.async_stop({}, tok);
    EXPECT_FALSE(sec) << m.diagnostics().what;
    EXPECT_FALSE(m.running());
  });
}

TEST_F(MachineTest, SocketpairWithoutHoldingTheSessionIsRefused) {
  auto o = bare_qemu();
  o.hold_session = false;
  qmp::Machine m(ioc.get_executor(), o);
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    EXPECT_EQ(ec, qmp::errc::invalid_argument);
    EXPECT_EQ(m.pid(), -1);
  });
}

TEST_F(MachineTest, EarlyExitReportsQemuStderr) {
  std::string forwarded;
  auto o = bare_qemu({"-bogus"});
  o.on_stderr = [&](std::string_view chunk) { forwarded += chunk; };
  qmp::Machine m(ioc.get_executor(), o);
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    EXPECT_EQ(ec, qmp::errc::process_exited);
    EXPECT_EQ(qmp::kind_of(ec), qmp::error_kind::process);
    EXPECT_NE(m.diagnostics().what.find("-bogus: invalid option"), std::string::npos) << m.diagnostics().what;
    EXPECT_NE(m.diagnostics().what.find("exit code 1"), std::string::npos) << m.diagnostics().what;
    CO_ASSERT_TRUE(m.exit_status().has_value());
    EXPECT_TRUE(m.exit_status()->exited);
    EXPECT_EQ(m.exit_status()->code, 1);

    // Stopping a process that is already gone just reports how it ended.
    auto [sec, status] = co_await m.async_stop({}, tok);
    EXPECT_FALSE(sec);
    EXPECT_EQ(status.code, 1);
  });
  EXPECT_NE(m.stderr_text().find("-bogus: invalid option"), std::string::npos) << m.stderr_text();
  EXPECT_NE(forwarded.find("-bogus: invalid option"), std::string::npos) << forwarded;
  EXPECT_TRUE(reaped(m.pid()));
}

TEST_F(MachineTest, EarlyExitWithAUnixSocketMonitorReportsQemuStderr) {
  auto o = bare_qemu({"-bogus"});
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  qmp::Machine m(ioc.get_executor(), o);
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    EXPECT_EQ(ec, qmp::errc::process_exited);
    EXPECT_NE(m.diagnostics().what.find("-bogus: invalid option"), std::string::npos) << m.diagnostics().what;
  });
}

TEST_F(MachineTest, AMissingBinaryIsASpawnFailure) {
  auto o = bare_qemu();
  o.binary = "/nonexistent/qemu-system-x86_64";
  qmp::Machine m(ioc.get_executor(), o);
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    EXPECT_EQ(ec, qmp::errc::spawn_failed);
    EXPECT_NE(m.diagnostics().what.find("No such file or directory"), std::string::npos) << m.diagnostics().what;
    EXPECT_FALSE(m.running());
  });
}

TEST_F(MachineTest, AProcessThatNeverGreetsTimesOutAndStopEscalatesToSigkill) {
  qmp::Machine m(ioc.get_executor(), unresponsive_process());
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    EXPECT_EQ(ec, qmp::errc::timeout);
    EXPECT_NE(m.diagnostics().what.find("no QMP greeting"), std::string::npos) << m.diagnostics().what;
    EXPECT_TRUE(m.running());

    qmp::StopOptions so;
    so.quit_timeout = 100ms;
    so.term_timeout = 200ms;
    auto [sec, status] = co_await m.async_stop(so, tok);
    EXPECT_FALSE(sec) << m.diagnostics().what;
    EXPECT_FALSE(status.exited);
    EXPECT_EQ(status.signal, SIGKILL) << status.describe();
  });
  EXPECT_TRUE(reaped(m.pid()));
}

TEST_F(MachineTest, AStoppedQemuIgnoresQuitAndTermAndIsKilled) {
  qmp::Machine m(ioc.get_executor(), bare_qemu());
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    CO_ASSERT_FALSE(ec) << m.diagnostics().what;
    m.kill(SIGSTOP);
    // Make sure it is stopped before `quit` goes out, or it might still answer.
    for (int i = 0; i < 200 && process_state(m.pid()) != 'T'; ++i) co_await qmpc_test::sleep_for(10ms);
    EXPECT_EQ(process_state(m.pid()), 'T');
    qmp::StopOptions so;
    so.quit_timeout = 200ms;
    so.term_timeout = 200ms;
    auto [sec, status] = co_await m.async_stop(so, tok);
    EXPECT_FALSE(sec) << m.diagnostics().what;
    EXPECT_EQ(status.signal, SIGKILL) << status.describe();
  });
}

TEST_F(MachineTest, SigkillIsReportedAsSignal9) {
  qmp::Machine m(ioc.get_executor(), bare_qemu());
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    CO_ASSERT_FALSE(ec) << m.diagnostics().what;
    auto [wec, none] = co_await m.async_wait_exit(50ms, tok);
    EXPECT_EQ(wec, qmp::errc::timeout);

    m.kill(SIGKILL);
    auto [xec, status] = co_await m.async_wait_exit(10s, tok);
    EXPECT_FALSE(xec);
    EXPECT_EQ(status.signal, 9);
    EXPECT_EQ(status.describe(), "killed by SIGKILL");
    EXPECT_EQ(m.exit_status()->signal, 9);

    // The session sees the connection end.
    auto [cec] = co_await m.session().async_wait_closed(10s, tok);
    EXPECT_FALSE(cec) << cec.message();
  });
}

TEST_F(MachineTest, LogsStartSignalsAndExitToTheSessionLogger) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>("machine-test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  logger->set_level(spdlog::level::debug);
  auto o = bare_qemu();
  o.session.logger = logger;
  qmp::Machine m(ioc.get_executor(), o);
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    CO_ASSERT_FALSE(ec) << m.diagnostics().what;
    m.kill(SIGKILL);
    co_await m.async_wait_exit(10s, tok);
  });
  const std::string pid = "qemu pid " + std::to_string(m.pid());
  EXPECT_NE(out.str().find(pid + " started: " + m.argv().at(0) + " -M none"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(pid + ": sending SIGKILL"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(pid + " ended: killed by SIGKILL"), std::string::npos) << out.str();
}

TEST_F(MachineTest, AReleasedQemuOutlivesTheMachine) {
  auto o = bare_qemu();
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  o.hold_session = false;
  pid_t pid = -1;
  std::string socket;
  {
    qmp::Machine m(ioc.get_executor(), o);
    run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
      auto [ec] = co_await m.async_start(tok);
      CO_ASSERT_FALSE(ec) << m.diagnostics().what;
    });
    m.release();
    pid = m.pid();
    socket = m.socket_path();
  }
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), 0) << "the released QEMU did not survive its Machine";
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    qmp::Session s(ioc.get_executor());
    auto [ec] = co_await s.async_connect(socket, tok);
    EXPECT_FALSE(ec) << ec.message() << ": " << s.failure_diagnostics().what;
  });
  ::kill(pid, SIGKILL);
  int st = 0;
  EXPECT_EQ(::waitpid(pid, &st, 0), pid);
  std::filesystem::remove_all(std::filesystem::path(socket).parent_path());
}

TEST_F(MachineTest, DestructorKillsAndReapsARunningQemu) {
  pid_t pid = -1;
  {
    qmp::Machine m(ioc.get_executor(), bare_qemu());
    run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
      auto [ec] = co_await m.async_start(tok);
      CO_ASSERT_FALSE(ec) << m.diagnostics().what;
      pid = m.pid();
    });
    ASSERT_GT(pid, 0);
    EXPECT_FALSE(reaped(pid));
  }
  EXPECT_TRUE(reaped(pid));
  EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid)));
}

TEST_F(MachineTest, DestructorReapsAProcessThatIgnoresSigterm) {
  pid_t pid = -1;
  {
    qmp::Machine m(ioc.get_executor(), unresponsive_process());
    run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
      auto [ec] = co_await m.async_start(tok);
      EXPECT_EQ(ec, qmp::errc::timeout);
      pid = m.pid();
    });
  }
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(reaped(pid));
}

TEST_F(MachineTest, OnlyTheMonitorDescriptorIsInherited) {
  // A descriptor of ours opened without O_CLOEXEC must not leak into QEMU.
  qmpc_test::TempDir dir;
  const std::string marker = dir.file("leak-marker");
  int leaky = ::open(marker.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(leaky, 0);
  qmp::Machine m(ioc.get_executor(), bare_qemu());
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    auto [ec] = co_await m.async_start(tok);
    CO_ASSERT_FALSE(ec) << m.diagnostics().what;
    int seen = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(m.pid()) + "/fd")) {
      std::error_code rec;
      auto target = std::filesystem::read_symlink(e.path(), rec).string();
      EXPECT_NE(target, marker) << "descriptor " << e.path().filename() << " leaked into QEMU";
      ++seen;
    }
    EXPECT_GT(seen, 3);
    co_await m.async_stop({}, tok);
  });
  ::close(leaky);
}

}  // namespace
