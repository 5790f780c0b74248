// qmpc shell in a real terminal (a tmux pane) against real QEMU: Tab completion of a command and of arguments,
// history across two runs, an event printed while the prompt waits (the line being typed kept), a validation
// error, an HMP line, Ctrl-C at the prompt.
#include "cli_process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace {

using namespace qmpc_cli_test;

bool tmux_available() { return run_program({"/bin/sh", "-c", "command -v tmux"}, 10000ms).exit_code == 0; }

// One tmux server of the test's own (its socket in the scratch folder), one pane running the shell command
// `command` under sh, which writes its exit status to a file when it ends (tmux itself may be slow to reap it), and
// ignores Ctrl-C's SIGINT itself (the program installs its own handler).
class Pane {
 public:
  Pane(const ScratchDir& dir, const std::string& name, const std::string& command)
      : socket_(dir.file(name + ".tmux")), status_file_(dir.file(name + ".status")) {
    ok_ = tmux({"new-session", "-d", "-s", "t", "-x", "160", "-y", "40", "sh", "-c",
                "trap '' INT; " + command + "; echo $? > " + shell_quoted(status_file_)})
                  .exit_code == 0 &&
          tmux({"set-option", "-t", "t", "remain-on-exit", "on"}).exit_code == 0;
  }
  ~Pane() { tmux({"kill-server"}); }
  bool ok() const { return ok_; }

  void keys(const std::vector<std::string>& keys) {
    std::vector<std::string> args{"send-keys", "-t", "t"};
    args.insert(args.end(), keys.begin(), keys.end());
    tmux(args);
  }
  // Literal text, no key names.
  void type(const std::string& text) { tmux({"send-keys", "-t", "t", "-l", text}); }
  std::string screen() { return tmux({"capture-pane", "-p", "-t", "t"}).out; }
  // Waits until the screen shows `part` (true), at most `timeout`.
  bool shows(const std::string& part, std::chrono::milliseconds timeout = 15000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (screen().find(part) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  // Waits until the program in the pane has exited (true), at most `timeout`.
  bool ended(std::chrono::milliseconds timeout = 15000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!exit_status().empty()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  // The exit status of the program in the pane once it ended ("" before).
  std::string exit_status() const {
    auto status = read_file(status_file_);
    if (status.empty() || status.back() != '\n') return {};
    status.pop_back();
    return status;
  }
  // The screen's last line that is not empty.
  std::string last_line() {
    const auto s = screen();
    std::string last;
    std::size_t p = 0;
    while (p < s.size()) {
      auto nl = s.find('\n', p);
      if (nl == std::string::npos) nl = s.size();
      const auto line = s.substr(p, nl - p);
      if (line.find_first_not_of(' ') != std::string::npos) last = line;
      p = nl + 1;
    }
    return last.substr(0, last.find_last_not_of(' ') + 1);
  }
  bool last_line_is(const std::string& text, std::chrono::milliseconds timeout = 15000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (last_line() == text) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

 private:
  Outcome tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {"tmux", "-S", socket_, "-f", "/dev/null"});
    return run_program(args, 20000ms);
  }
  std::string socket_;
  std::string status_file_;
  bool ok_ = false;
};

class CliShellTerminal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available";
    if (!tmux_available()) GTEST_SKIP() << "tmux is not available";
    ASSERT_TRUE(qemu_.ok());
  }
  std::string shell_command() const {
    return "env HOME=" + shell_quoted(dir_.path()) + " XDG_STATE_HOME=" + shell_quoted(dir_.file("state")) +
           " XDG_CACHE_HOME=" + shell_quoted(dir_.file("cache")) + " " + shell_quoted(qmpc_binary()) + " shell -s " +
           shell_quoted(qemu_.socket(0));
  }
  ScratchDir dir_;
  Qemu qemu_{2};
};

TEST_F(CliShellTerminal, CompletesPrintsEventsAndKeepsHistory) {
  {
    Pane pane(dir_, "first", shell_command());
    ASSERT_TRUE(pane.ok());
    ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();

    // A command name, completed with Tab.
    pane.type("query-block-j");
    pane.keys({"Tab"});
    ASSERT_TRUE(pane.last_line_is("(qmp) query-block-jobs")) << pane.screen();
    pane.keys({"Enter"});
    ASSERT_TRUE(pane.shows("\n[]\n")) << pane.screen();
    ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();

    // An argument name, then an enum value; the command lacks "device": refused, nothing sent.
    pane.type("drive-mirror sy");
    pane.keys({"Tab"});
    ASSERT_TRUE(pane.last_line_is("(qmp) drive-mirror sync=")) << pane.screen();
    pane.type("fu");
    pane.keys({"Tab"});
    ASSERT_TRUE(pane.last_line_is("(qmp) drive-mirror sync=full")) << pane.screen();
    pane.keys({"Enter"});
    ASSERT_TRUE(pane.shows("ValidationError: arguments.")) << pane.screen();
    EXPECT_TRUE(pane.shows("(nothing was sent;")) << pane.screen();

    // An event while the prompt waits, with a line half typed: printed above it, the line kept.
    ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();
    pane.type("query-statu");
    ASSERT_TRUE(pane.last_line_is("(qmp) query-statu")) << pane.screen();
    const auto stop = run_qmpc({"-s", qemu_.socket(1), "exec", "stop"});
    ASSERT_EQ(stop.exit_code, 0) << stop.err;
    ASSERT_TRUE(pane.shows("\"event\":\"STOP\"")) << pane.screen();
    EXPECT_TRUE(pane.last_line_is("(qmp) query-statu")) << pane.screen();
    pane.keys({"Tab", "Enter"});
    ASSERT_TRUE(pane.shows("{\"status\":\"paused\"")) << pane.screen();

    // HMP text, as text.
    ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();
    pane.type("hmp info status");
    pane.keys({"Enter"});
    ASSERT_TRUE(pane.shows("\nVM status: paused\n")) << pane.screen();

    // Ctrl-C drops the line typed.
    ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();
    pane.type("cont");
    pane.keys({"C-c"});
    ASSERT_TRUE(pane.shows("(qmp) cont^C")) << pane.screen();
    ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();

    pane.type("exit");
    pane.keys({"Enter"});
    ASSERT_TRUE(pane.ended()) << pane.screen();
    EXPECT_EQ(pane.exit_status(), "0");
  }
  EXPECT_NE(read_file(dir_.file("state/qmpc/history")).find("hmp info status\nexit\n"), std::string::npos);

  // A second run: the history of the first.
  Pane pane(dir_, "second", shell_command());
  ASSERT_TRUE(pane.ok());
  ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();
  pane.keys({"Up", "Up"});
  ASSERT_TRUE(pane.last_line_is("(qmp) hmp info status")) << pane.screen();
  pane.keys({"Enter"});
  ASSERT_TRUE(pane.shows("\nVM status: paused\n")) << pane.screen();
  ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();
  pane.keys({"C-d"});
  ASSERT_TRUE(pane.ended()) << pane.screen();
  EXPECT_EQ(pane.exit_status(), "0");
}

TEST_F(CliShellTerminal, AMonitorThatGoesAwayEndsTheShell) {
  Pane pane(dir_, "lost", shell_command());
  ASSERT_TRUE(pane.ok());
  ASSERT_TRUE(pane.last_line_is("(qmp)")) << pane.screen();
  pane.type("query-na");
  ASSERT_TRUE(pane.last_line_is("(qmp) query-na")) << pane.screen();
  qemu_.kill(SIGKILL);
  ASSERT_TRUE(pane.ended()) << pane.screen();
  EXPECT_EQ(pane.exit_status(), "3");
  EXPECT_TRUE(pane.shows("error: connection to unix:" + qemu_.socket(0) + " lost")) << pane.screen();
  EXPECT_EQ(pane.screen().find("(qmp) query-na"), std::string::npos) << pane.screen();  // the prompt is gone
}

}  // namespace
