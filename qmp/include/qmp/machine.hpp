// Starts a qemu-system binary as a child process with a QMP monitor, and stops it: softly, then hard.
//
// The child gets an argv (never a shell). QMP is on one end of a socketpair (the default) or on a UNIX socket in
// a private 0700 directory. Its stderr is captured (the last 64 KiB kept) and, if it exits before the greeting,
// the error carries that stderr. async_stop() sends `quit`, waits, then SIGTERM, waits, then SIGKILL, each step
// with its own deadline; the child is always reaped (the destructor SIGKILLs and reaps a child still running).
#pragma once

#include "qmp/error.hpp"
#include "qmp/initiation.hpp"
#include "qmp/session.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qmp {

namespace detail {
class MachineCore;
}

struct MachineOptions {
  std::string binary = "qemu-system-x86_64";
  // Arguments after the binary. When `bare` is set, "-M none -nodefaults -display none" come first, each part
  // left out when the caller's args already have it (-M / -machine, -nodefaults, -display / -nographic).
  // The monitor options come last.
  std::vector<std::string> args;
  bool bare = true;
  enum class Monitor { socketpair, unix_socket } monitor = Monitor::socketpair;
  // For Monitor::unix_socket: where QEMU listens. Empty: "qmp.sock" in a new private 0700 directory, removed
  // when the Machine is destroyed. A path given here must be free: a live socket (somebody listens) or anything
  // that is not a socket makes async_start() fail with errc::invalid_argument before QEMU starts; a stale socket
  // is removed. The socket QEMU made there is removed with the Machine (unless released).
  std::string socket_path;
  // Connect a Session and negotiate capabilities once the greeting arrives. When false (the monitor is left for
  // another client), async_start() still waits for the greeting on a first connection, then closes it; this needs
  // Monitor::unix_socket (with a socketpair, async_start() fails with errc::invalid_argument).
  bool hold_session = true;
  Clock::duration start_timeout = std::chrono::seconds(15);  // until the greeting
  SessionOptions session;
  // Called with each chunk of QEMU's stderr as it arrives (besides being kept for error messages). QEMU's stdout
  // goes to the same pipe; its stdin is /dev/null.
  std::function<void(std::string_view)> on_stderr;
};

struct ExitStatus {
  bool exited = false;  // exited normally with `code`
  int code = -1;
  int signal = 0;       // killed by `signal`
  std::string describe() const;  // "exit code 0", "killed by SIGKILL"
};

struct StopOptions {
  Clock::duration quit_timeout = std::chrono::seconds(5);  // after `quit` (skipped when there is no open session)
  Clock::duration term_timeout = std::chrono::seconds(3);  // after SIGTERM
  Clock::duration kill_timeout = std::chrono::seconds(3);  // after SIGKILL
};

using ExitSignature = void(error_code, ExitStatus);

namespace detail {

// The operations' work, and what their initiation objects (qmp/initiation.hpp) need.
boost::asio::any_io_executor executor_of(const std::shared_ptr<MachineCore>& core) noexcept;
void start_machine(const std::shared_ptr<MachineCore>& core, boost::asio::any_completion_handler<WaitSignature> h);
void stop_machine(const std::shared_ptr<MachineCore>& core, boost::asio::any_completion_handler<ExitSignature> h,
                  StopOptions options);
void wait_machine_exit(const std::shared_ptr<MachineCore>& core, boost::asio::any_completion_handler<ExitSignature> h,
                       Clock::duration timeout);

using MachineStartInitiation = Initiation<MachineCore, WaitSignature, &start_machine>;
using MachineStopInitiation = Initiation<MachineCore, ExitSignature, &stop_machine>;
using MachineWaitExitInitiation = Initiation<MachineCore, ExitSignature, &wait_machine_exit>;

}  // namespace detail

class Machine {
 public:
  using executor_type = boost::asio::any_io_executor;

  Machine(executor_type ex, MachineOptions options);
  Machine(Machine&&) noexcept;
  Machine& operator=(Machine&&) noexcept;
  ~Machine();

  // Spawns QEMU and waits for its greeting (and negotiation, with hold_session). Fails with
  // errc::process_exited (stderr in diagnostics()) when QEMU exits first, errc::timeout after start_timeout.
  // Like every operation here it holds the machine's shared state, not the Machine object: it may be started
  // (asio::deferred) after the Machine was moved.
  template <typename Token = default_token_t<executor_type>>
  auto async_start(Token&& token = Token()) {
    return boost::asio::async_initiate<Token, WaitSignature>(detail::MachineStartInitiation{core_}, token);
  }

  // quit -> wait -> SIGTERM -> wait -> SIGKILL -> wait. Completes with how the process ended.
  template <typename Token = default_token_t<executor_type>>
  auto async_stop(StopOptions options, Token&& token = Token()) {
    return boost::asio::async_initiate<Token, ExitSignature>(detail::MachineStopInitiation{core_}, token, options);
  }

  // Waits for the process to exit by itself, at most `timeout` (errc::timeout).
  template <typename Token = default_token_t<executor_type>>
  auto async_wait_exit(Clock::duration timeout, Token&& token = Token()) {
    return boost::asio::async_initiate<Token, ExitSignature>(detail::MachineWaitExitInitiation{core_}, token, timeout);
  }

  // Sends a signal (e.g. SIGKILL to simulate a crash). No effect once the child was reaped.
  void kill(int signal);

  // Lets the child outlive this object (e.g. `qmpc launch --detach`): closes qmpc's ends of its monitor and stderr,
  // keeps its socket directory, and neither signals nor reaps it. pid() and socket_path() stay readable; the
  // Machine is inert afterwards.
  void release();

  Session& session();  // valid after async_start with hold_session
  pid_t pid() const noexcept;
  bool running() const noexcept;
  const std::string& socket_path() const noexcept;  // empty with Monitor::socketpair
  std::string stderr_text() const;                 // the last 64 KiB of QEMU's stderr
  const std::vector<std::string>& argv() const noexcept;
  const Diagnostics& diagnostics() const noexcept;  // details of the last failure
  std::optional<ExitStatus> exit_status() const noexcept;

 private:
  std::shared_ptr<detail::MachineCore> core_;
};

}  // namespace qmp
