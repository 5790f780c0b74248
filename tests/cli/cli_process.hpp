// Runs qmpc (or QEMU) as a child process for the CLI tests: separate stdout and stderr, lines read as they come,
// signals, and a deadline on every wait (the child is SIGKILLed when it passes, failing the test).
#pragma once

#include "support/qemu_options.hpp"
#include "support/qemu_tools.hpp"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qmpc_cli_test {

using namespace std::chrono_literals;

struct Outcome {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::steady_clock::duration elapsed{};
};

class Child {
 public:
  // `env` entries ("NAME=value") are added to (or replace in) the test's environment.
  explicit Child(std::vector<std::string> argv, std::vector<std::string> env = {});
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();  // SIGKILLs and reaps a child still running

  pid_t pid() const noexcept { return pid_; }
  // The next complete stdout line (without '\n'), or nullopt when none came within `timeout` or stdout closed.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10000ms);
  void signal(int sig);
  // Waits for the exit, at most `timeout` (then SIGKILL and timed_out). Collects everything printed.
  Outcome wait(std::chrono::milliseconds timeout = 30000ms);
  const std::string& err_so_far() const noexcept { return err_; }

 private:
  bool pump(int timeout_ms);  // reads what is available; false once both pipes are closed
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
  std::size_t out_consumed_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::optional<Outcome> done_;
};

// The qmpc binary under test.
std::string qmpc_binary();

// Runs qmpc with `args` to completion.
Outcome run_qmpc(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 30000ms,
                 std::vector<std::string> env = {});

// A bare QEMU (-M none -nodefaults -display none) with QMP monitors on UNIX sockets in its own temporary
// directory, for qmpc to connect to. Killed (SIGKILL) and reaped when destroyed.
class Qemu {
 public:
  // `monitors` sockets are created ("qmp0.sock", "qmp1.sock", ...). Waits until they exist.
  explicit Qemu(int monitors = 1, std::vector<std::string> extra_args = {});
  // qemu-storage-daemon instead, with `args` (--blockdev ..., --nbd-server ..., --export ...) and one QMP monitor
  // (--chardev socket,id=m0,path=qmp0.sock,server=on,wait=off --monitor chardev=m0). It has no guest and no
  // -drive: block nodes only, no SHUTDOWN event, no query-status.
  struct StorageDaemon {
    std::vector<std::string> args;
  };
  explicit Qemu(StorageDaemon daemon);
  ~Qemu();
  Qemu(const Qemu&) = delete;
  Qemu& operator=(const Qemu&) = delete;

  std::string socket(int i = 0) const;
  const std::string& dir() const noexcept { return dir_; }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  pid_t pid() const noexcept { return child_ ? child_->pid() : -1; }
  void kill(int sig);
  Outcome wait(std::chrono::milliseconds timeout = 10000ms);
  bool ok() const noexcept { return ok_; }

 private:
  void start(std::vector<std::string> argv);  // runs argv and waits for the monitor sockets
  std::string dir_;
  int monitors_;
  std::optional<Child> child_;
  bool ok_ = false;
};

// The QEMU tools come from QMPC_QEMU_DIR when it is set (support/qemu_tools.hpp); qemu_available() is true when
// its qemu-system-x86_64 can be run (tests needing QEMU skip otherwise).
using qmpc_test::qemu_available;
using qmpc_test::qemu_tool;

// Runs a program to completion (qemu-img, qemu-io) and returns its outcome.
Outcome run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = 60000ms);

// The lines of `text`, each without its '\n' (a last line without one is left out).
std::vector<std::string> lines_of(const std::string& text);
// `s` in single quotes, for a sh command line (`s` must not hold a single quote).
inline std::string shell_quoted(const std::string& s) { return "'" + s + "'"; }

// The whole content of the file at `path` ("" when it cannot be read).
std::string read_file(const std::string& path);

// A new private temporary directory (removed with its content on destruction).
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace qmpc_cli_test
