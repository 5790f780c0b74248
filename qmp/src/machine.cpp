// Machine: spawns QEMU, watches its exit through a pidfd, keeps the tail of its stderr, connects the session, and
// stops it step by step.
//
//   spawn ──> connect / adopt ──> greeting (+ qmp_capabilities) ──> running ──> quit ─> SIGTERM ─> SIGKILL ─> reaped
//     │                  │                                                        (each step waits for the exit,
//     └── exit watcher (pidfd readable -> waitpid) wakes every wait below ───────   with its own deadline)
//
// Every wait is a timer registered in `waiters_`: an event (exit, handshake done) cancels them all and each waiter
// re-checks the state it is waiting for. Single-threaded by contract (the executor is an io_context run by one
// thread, or a strand), so there are no locks.
#include "qmp/machine.hpp"

#include "detail/child_process.hpp"
#include "detail/deadline_after.hpp"
#include "detail/machine_argv.hpp"
#include "qmp/socket_path.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/logger.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <list>

namespace qmp {

using namespace std::chrono_literals;

namespace asio = boost::asio;

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  if (signal != 0) {
    const char* abbrev = ::sigabbrev_np(signal);
    return abbrev ? "killed by SIG" + std::string(abbrev) : "killed by signal " + std::to_string(signal);
  }
  return "unknown exit status";
}

namespace detail {
namespace {

constexpr std::size_t stderr_keep = 64 * 1024;
constexpr std::size_t max_socket_path = sizeof(sockaddr_un::sun_path);  // including the terminating NUL
constexpr auto connect_retry_interval = 20ms;
// After the handshake failed (typically EOF), how long to wait for the exit that probably caused it.
constexpr auto exit_grace = 2s;

std::string ms_text(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

SessionOptions session_options_for(const MachineOptions& o) {
  SessionOptions s = o.session;
  // The start deadline governs the greeting; the session must not give up earlier on a slow start.
  s.handshake_timeout = std::max(s.handshake_timeout, o.start_timeout);
  return s;
}

}  // namespace

class MachineCore {
 public:
  using Ptr = std::shared_ptr<MachineCore>;

  MachineCore(asio::any_io_executor ex, MachineOptions options)
      : ex_(std::move(ex)),
        options_(std::move(options)),
        session_(ex_, session_options_for(options_)),
        pidfd_(ex_),
        stderr_(ex_) {}

  ~MachineCore() { terminate(); }

  static asio::awaitable<error_code> start(Ptr self);
  static asio::awaitable<std::pair<error_code, ExitStatus>> stop(Ptr self, StopOptions o);
  static asio::awaitable<std::pair<error_code, ExitStatus>> wait_exit(Ptr self, Clock::duration timeout);

  void send_signal(int sig) {
    if (pid_ > 0 && !exit_ && pidfd_.is_open()) {
      if (log_) log_->debug("qemu pid {}: sending SIG{}", pid_, ::sigabbrev_np(sig) ? ::sigabbrev_np(sig) : "?");
      send_signal_to_pidfd(pidfd_.native_handle(), sig);
    }
  }

  // Kills and reaps a child still running, releases every descriptor and the private directory. Idempotent.
  void terminate();

  asio::any_io_executor ex_;
  MachineOptions options_;
  Session session_;
  std::vector<std::string> argv_;
  std::string socket_path_;
  OwnedSocketFile socket_file_;  // the socket QEMU listens on, once connected to it
  std::string private_dir_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;
  Diagnostics diag_;
  std::string stderr_text_;

 private:
  // A timer registered as a waiter for the duration of one wait.
  struct WaiterRegistration {
    std::list<asio::steady_timer*>& list;
    std::list<asio::steady_timer*>::iterator it;
    WaiterRegistration(std::list<asio::steady_timer*>& l, asio::steady_timer* t) : list(l), it(l.insert(l.end(), t)) {}
    ~WaiterRegistration() { list.erase(it); }
  };

  // Waits until something happens (notify) or `deadline`, whichever comes first.
  asio::awaitable<void> wait_event(Clock::time_point deadline) {
    asio::steady_timer t(ex_);
    t.expires_at(deadline);
    WaiterRegistration reg(waiters_, &t);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  asio::awaitable<void> wait_exit_until(Clock::time_point deadline) {
    while (!exit_ && Clock::now() < deadline) co_await wait_event(deadline);
  }
  void notify() {
    for (auto* t : waiters_) t->cancel();
  }

  const std::shared_ptr<spdlog::logger> log_ = options_.session.logger;  // may be null: then nothing is logged

  error_code fail(errc e, std::string desc) {
    if (log_) log_->debug("qemu: {}", desc);
    diag_ = Diagnostics{};
    diag_.what = std::move(desc);
    return e;
  }
  std::string stderr_suffix() const {
    std::string s = trimmed(stderr_text_);
    return s.empty() ? std::string(" (no output on stderr)") : "; stderr: " + s;
  }

  error_code spawn();
  asio::awaitable<error_code> connect_unix(Clock::time_point deadline);
  void watch_exit(const Ptr& self);
  void read_stderr(const Ptr& self);
  void append_stderr(std::string_view chunk);
  void drain_stderr();

  std::list<asio::steady_timer*> waiters_;
  asio::posix::stream_descriptor pidfd_;
  asio::posix::stream_descriptor stderr_;
  std::array<char, 4096> stderr_buf_{};
  bool start_called_ = false;
  bool session_ready_ = false;  // start succeeded with hold_session
  bool terminated_ = false;
  UniqueFd monitor_fd_;         // our end of the socketpair, until the session adopts it
};

error_code MachineCore::spawn() {
  using Monitor = MachineOptions::Monitor;
  UniqueFd child_end;
  if (options_.monitor == Monitor::socketpair) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      return fail(errc::spawn_failed, std::string("socketpair: ") + std::strerror(errno));
    monitor_fd_.reset(sv[0]);
    child_end.reset(sv[1]);
  } else if (options_.socket_path.empty()) {
    private_dir_ = make_private_dir("qmpc-");
    if (!private_dir_.empty() && private_dir_.size() + sizeof("/qmp.sock") > max_socket_path) {
      // $TMPDIR is too deep for a socket address: /tmp is not.
      ::rmdir(private_dir_.c_str());
      private_dir_ = make_private_dir("qmpc-", "/tmp");
    }
    if (private_dir_.empty())
      return fail(errc::spawn_failed, std::string("cannot create a private directory: ") + std::strerror(errno));
    socket_path_ = private_dir_ + "/qmp.sock";
  } else {
    socket_path_ = options_.socket_path;
    if (socket_path_.size() >= max_socket_path)
      return fail(errc::invalid_argument, "socket path too long for a UNIX socket address: " + socket_path_);
    // QEMU would unlink whatever is there and take the path over: a live QEMU's monitor, or a file.
    error_code refused;
    Diagnostics why;
    if (!claim_socket_path(socket_path_, refused, why)) return fail(errc::invalid_argument, why.what);
  }

  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
    return fail(errc::spawn_failed, std::string("pipe: ") + std::strerror(errno));
  UniqueFd err_read(p[0]), err_write(p[1]);
  // Only our end is non-blocking; QEMU's stderr must stay blocking.
  ::fcntl(err_write.get(), F_SETFL, ::fcntl(err_write.get(), F_GETFL) & ~O_NONBLOCK);

  argv_ = build_argv(options_, socket_path_);
  SpawnRequest req;
  req.argv = argv_;
  req.output_fd = err_write.get();
  req.inherited_fd = child_end.get();
  req.inherited_fd_number = monitor_fd_number;
  SpawnResult r = spawn_child(req);
  if (r.pid < 0) return fail(errc::spawn_failed, r.what + ": " + std::strerror(r.error));

  pid_ = r.pid;
  if (log_) log_->debug("qemu pid {} started: {}", pid_, joined(argv_));
  pidfd_.assign(r.pidfd.release());
  stderr_.assign(err_read.release());
  return {};
}

void MachineCore::watch_exit(const Ptr& self) {
  pidfd_.async_wait(asio::posix::stream_descriptor::wait_read, [self](error_code ec) {
    if (ec || self->exit_ || self->terminated_) return;
    ExitStatus st;
    if (!try_reap(self->pid_, st)) return self->watch_exit(self);
    self->exit_ = st;
    if (self->log_) self->log_->debug("qemu pid {} ended: {}", self->pid_, st.describe());
    error_code ignored;
    self->pidfd_.close(ignored);
    // Whatever the child wrote is in the pipe now: take it before anyone reads stderr_text_.
    self->drain_stderr();
    self->notify();
  });
}

void MachineCore::read_stderr(const Ptr& self) {
  stderr_.async_read_some(asio::buffer(stderr_buf_), [self](error_code ec, std::size_t n) {
    if (self->terminated_) return;
    if (n > 0) self->append_stderr({self->stderr_buf_.data(), n});
    if (!ec) self->read_stderr(self);
  });
}

void MachineCore::drain_stderr() {
  if (!stderr_.is_open()) return;
  for (;;) {
    ssize_t n = ::read(stderr_.native_handle(), stderr_buf_.data(), stderr_buf_.size());
    if (n > 0) {
      append_stderr({stderr_buf_.data(), static_cast<std::size_t>(n)});
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;  // EOF, EAGAIN (a grandchild may still hold the pipe) or an error: the async reader carries on
  }
}

void MachineCore::append_stderr(std::string_view chunk) {
  stderr_text_.append(chunk);
  if (stderr_text_.size() > stderr_keep) stderr_text_.erase(0, stderr_text_.size() - stderr_keep);
  if (options_.on_stderr) options_.on_stderr(chunk);
}

asio::awaitable<error_code> MachineCore::connect_unix(Clock::time_point deadline) {
  asio::local::stream_protocol::endpoint ep(socket_path_);
  for (;;) {
    if (exit_) co_return error_code{};  // the caller reports the exit
    asio::local::stream_protocol::socket sock(ex_);
    error_code ec;
    sock.connect(ep, ec);  // local connects complete at once (or are refused)
    if (!ec) {
      session_.adopt(sock.release());
      socket_file_ = OwnedSocketFile(socket_path_);  // QEMU's, removed with it unless released
      co_return error_code{};
    }
    const bool retry = ec == asio::error::connection_refused || ec == asio::error::not_found ||
                       ec == boost::system::errc::no_such_file_or_directory || ec == asio::error::try_again;
    if (!retry) co_return fail(errc::connect_failed, "cannot connect to " + socket_path_ + ": " + ec.message());
    if (Clock::now() >= deadline) co_return error_code{};  // the caller reports the timeout
    co_await wait_event(std::min(deadline, Clock::now() + connect_retry_interval));
  }
}

asio::awaitable<error_code> MachineCore::start(Ptr self) {
  if (self->start_called_) co_return self->fail(errc::invalid_argument, "async_start called more than once");
  self->start_called_ = true;
  const auto& o = self->options_;
  if (o.monitor == MachineOptions::Monitor::socketpair && !o.hold_session)
    co_return self->fail(errc::invalid_argument,
                         "hold_session=false needs Monitor::unix_socket (a socketpair cannot be handed on)");
  const auto deadline = Clock::now() + o.start_timeout;

  if (auto ec = self->spawn()) co_return ec;
  self->watch_exit(self);
  self->read_stderr(self);

  if (o.monitor == MachineOptions::Monitor::socketpair) {
    self->session_.adopt(self->monitor_fd_.release());
  } else if (auto ec = co_await self->connect_unix(deadline)) {
    co_return ec;
  }

  std::shared_ptr<std::optional<error_code>> handshake;
  if (self->session_.is_open()) {
    handshake = std::make_shared<std::optional<error_code>>();
    self->session_.async_handshake(
        [self, handshake](error_code ec) {
          *handshake = ec;
          self->notify();
        },
        o.hold_session);
    while (!*handshake && !self->exit_ && Clock::now() < deadline) co_await self->wait_event(deadline);
    if (*handshake && !**handshake && !self->exit_) {
      if (o.hold_session) {
        self->session_ready_ = true;
      } else {
        self->session_.close();  // leave the monitor to the next client
      }
      co_return error_code{};
    }
    // A failed handshake is most often QEMU going away: give the exit a moment to be seen.
    if (*handshake) co_await self->wait_exit_until(std::min(deadline, Clock::now() + exit_grace));
  }

  self->session_.close();
  if (self->exit_) {
    co_return self->fail(errc::process_exited, "QEMU exited (" + self->exit_->describe() +
                                                    ") before its QMP greeting" + self->stderr_suffix());
  }
  if (handshake && *handshake) {
    const error_code ec = **handshake;
    Diagnostics d = self->session_.failure_diagnostics();
    if (d.what.empty()) d.what = ec.message();
    d.what += self->stderr_suffix();
    self->diag_ = std::move(d);
    co_return ec;
  }
  co_return self->fail(errc::timeout, "no QMP greeting from QEMU (pid " + std::to_string(self->pid_) + ") within " +
                                          ms_text(o.start_timeout) + self->stderr_suffix());
}

asio::awaitable<std::pair<error_code, ExitStatus>> MachineCore::stop(Ptr self, StopOptions o) {
  if (self->pid_ < 0) co_return std::pair{self->fail(errc::invalid_argument, "QEMU was not started"), ExitStatus{}};
  if (!self->exit_ && self->session_ready_ && self->session_.is_open()) {
    CommandOptions co;
    co.timeout = o.quit_timeout;
    // The reply does not matter (QEMU may reset the connection instead of answering); the exit does.
    self->session_.async_execute("quit", "", co, [self](error_code, Reply) {});
    co_await self->wait_exit_until(Clock::now() + o.quit_timeout);
  }
  if (!self->exit_) {
    self->send_signal(SIGTERM);
    co_await self->wait_exit_until(Clock::now() + o.term_timeout);
  }
  if (!self->exit_) {
    self->send_signal(SIGKILL);
    co_await self->wait_exit_until(Clock::now() + o.kill_timeout);
  }
  if (!self->exit_) {
    co_return std::pair{self->fail(errc::timeout, "QEMU (pid " + std::to_string(self->pid_) +
                                                      ") did not exit within " + ms_text(o.kill_timeout) +
                                                      " after SIGKILL"),
                        ExitStatus{}};
  }
  co_return std::pair{error_code{}, *self->exit_};
}

asio::awaitable<std::pair<error_code, ExitStatus>> MachineCore::wait_exit(Ptr self, Clock::duration timeout) {
  if (self->pid_ < 0) co_return std::pair{self->fail(errc::invalid_argument, "QEMU was not started"), ExitStatus{}};
  co_await self->wait_exit_until(deadline_after(timeout));
  if (!self->exit_) {
    co_return std::pair{self->fail(errc::timeout, "QEMU (pid " + std::to_string(self->pid_) +
                                                      ") still running after " + ms_text(timeout)),
                        ExitStatus{}};
  }
  co_return std::pair{error_code{}, *self->exit_};
}

void MachineCore::terminate() {
  if (terminated_) return;
  terminated_ = true;
  options_.on_stderr = nullptr;
  if (pid_ > 0 && !exit_) {
    if (pidfd_.is_open()) {
      send_signal_to_pidfd(pidfd_.native_handle(), SIGKILL);
    }
    ExitStatus st;
    reap_blocking(pid_, st);
    exit_ = st;
  }
  error_code ignored;
  pidfd_.close(ignored);
  stderr_.close(ignored);
  monitor_fd_.reset();
  session_.close();
  notify();
  socket_file_.remove();  // QEMU removes it when it quits, not when it is killed
  if (!private_dir_.empty()) std::filesystem::remove_all(private_dir_, ignored);
}

}  // namespace detail

namespace {

// What an exception escaping one of the coroutines said (none is expected; this keeps it out of the io_context).
std::string exception_text(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

// Completes `h` through its associated executor (never inline: these run at the end of a coroutine).
template <typename Handler, typename... Args>
void complete(const asio::any_io_executor& ex, Handler h, Args... args) {
  auto hex = asio::get_associated_executor(h, ex);
  asio::dispatch(hex, [h = std::move(h), ... args = std::move(args)]() mutable { std::move(h)(std::move(args)...); });
}

}  // namespace

Machine::Machine(executor_type ex, MachineOptions options)
    : core_(std::make_shared<detail::MachineCore>(std::move(ex), std::move(options))) {}

Machine::Machine(Machine&&) noexcept = default;

Machine& Machine::operator=(Machine&& other) noexcept {
  if (this != &other) {
    if (core_) core_->terminate();
    core_ = std::move(other.core_);
  }
  return *this;
}

Machine::~Machine() {
  if (core_) core_->terminate();
}

namespace detail {

asio::any_io_executor executor_of(const std::shared_ptr<MachineCore>& core) noexcept { return core->ex_; }

void start_machine(const std::shared_ptr<MachineCore>& core, asio::any_completion_handler<WaitSignature> h) {
  auto ex = core->ex_;
  asio::co_spawn(ex, MachineCore::start(core),
                 [ex, core, h = std::move(h)](std::exception_ptr e, error_code ec) mutable {
                   if (e) {
                     ec = errc::spawn_failed;
                     core->diag_ = Diagnostics{};
                     core->diag_.what = exception_text(e);
                   }
                   complete(ex, std::move(h), ec);
                 });
}

namespace {

// Runs `op` (stop or wait_exit) and completes `h` with how the process ended.
void spawn_exit(const std::shared_ptr<MachineCore>& core, asio::awaitable<std::pair<error_code, ExitStatus>> op,
                asio::any_completion_handler<ExitSignature> h) {
  auto ex = core->ex_;
  asio::co_spawn(ex, std::move(op),
                 [ex, core, h = std::move(h)](std::exception_ptr e, std::pair<error_code, ExitStatus> r) mutable {
                   if (e) {
                     r.first = errc::invalid_argument;
                     core->diag_ = Diagnostics{};
                     core->diag_.what = exception_text(e);
                   }
                   complete(ex, std::move(h), r.first, r.second);
                 });
}

}  // namespace

void stop_machine(const std::shared_ptr<MachineCore>& core, asio::any_completion_handler<ExitSignature> h,
                  StopOptions options) {
  spawn_exit(core, MachineCore::stop(core, options), std::move(h));
}

void wait_machine_exit(const std::shared_ptr<MachineCore>& core, asio::any_completion_handler<ExitSignature> h,
                       Clock::duration timeout) {
  spawn_exit(core, MachineCore::wait_exit(core, timeout), std::move(h));
}

}  // namespace detail

void Machine::kill(int signal) { core_->send_signal(signal); }

void Machine::release() {
  // terminate() then finds no child to kill and no directory to remove.
  const pid_t pid = core_->pid_;
  core_->pid_ = -1;
  core_->private_dir_.clear();
  core_->socket_file_.release();
  core_->terminate();
  core_->pid_ = pid;
  core_->exit_.reset();
}
Session& Machine::session() { return core_->session_; }
pid_t Machine::pid() const noexcept { return core_->pid_; }
bool Machine::running() const noexcept { return core_->pid_ > 0 && !core_->exit_; }
const std::string& Machine::socket_path() const noexcept { return core_->socket_path_; }
std::string Machine::stderr_text() const { return core_->stderr_text_; }
const std::vector<std::string>& Machine::argv() const noexcept { return core_->argv_; }
const Diagnostics& Machine::diagnostics() const noexcept { return core_->diag_; }
std::optional<ExitStatus> Machine::exit_status() const noexcept { return core_->exit_; }

}  // namespace qmp
