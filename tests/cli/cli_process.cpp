#include "cli_process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

#ifndef QMPC_BINARY
#error "QMPC_BINARY must name the qmpc executable under test"
#endif

namespace qmpc_cli_test {

namespace {

using Clock = std::chrono::steady_clock;

// The cache home of every child (XDG_CACHE_HOME), unless a test gives its own: one scratch folder for the whole
// test program, so that no test reads or writes the user's cache (qmpc keeps QEMU schemas there).
const std::string& test_cache_home() {
  static const ScratchDir dir;
  return dir.path();
}

std::vector<std::string> merged_environment(std::vector<std::string> extra) {
  const bool own_cache = std::any_of(extra.begin(), extra.end(),
                                     [](const std::string& x) { return x.rfind("XDG_CACHE_HOME=", 0) == 0; });
  if (!own_cache) extra.push_back("XDG_CACHE_HOME=" + test_cache_home());
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& x : extra)
      if (x.substr(0, x.find('=')) == name) replaced = true;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Child::Child(std::vector<std::string> argv, std::vector<std::string> env) : started_(Clock::now()) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group, default signal dispositions: a test's SIGINT reaches only this child.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  auto envs = merged_environment(env);
  auto cargv = c_strings(argv);
  auto cenv = c_strings(envs);
  const int rc = posix_spawnp(&pid_, cargv[0], &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  if (rc != 0) {
    pid_ = -1;
    done_ = Outcome{127, 0, false, "", "cannot start " + argv[0] + ": " + std::strerror(rc), {}};
    close(out_fd_);
    close(err_fd_);
    out_fd_ = err_fd_ = -1;
  }
}

Child::~Child() {
  if (!done_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

bool Child::pump(int timeout_ms) {
  pollfd fds[2];
  int n = 0;
  if (out_fd_ >= 0) fds[n++] = {out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) fds[n++] = {err_fd_, POLLIN, 0};
  if (n == 0) return false;
  if (poll(fds, static_cast<nfds_t>(n), timeout_ms) <= 0) return true;
  for (int i = 0; i < n; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buf[65536];
    const ssize_t r = read(fds[i].fd, buf, sizeof buf);
    const bool is_out = fds[i].fd == out_fd_;
    if (r > 0) {
      (is_out ? out_ : err_).append(buf, static_cast<std::size_t>(r));
    } else if (r == 0 || errno != EINTR) {
      close(fds[i].fd);
      (is_out ? out_fd_ : err_fd_) = -1;
    }
  }
  return out_fd_ >= 0 || err_fd_ >= 0;
}

std::optional<std::string> Child::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto nl = out_.find('\n', out_consumed_);
    if (nl != std::string::npos) {
      std::string line = out_.substr(out_consumed_, nl - out_consumed_);
      out_consumed_ = nl + 1;
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || out_fd_ < 0) return std::nullopt;
    pump(static_cast<int>(std::min<long long>(left, 100)));
  }
}

void Child::signal(int sig) {
  if (pid_ > 0 && !done_) ::kill(pid_, sig);
}

Outcome Child::wait(std::chrono::milliseconds timeout) {
  if (done_) return *done_;
  const auto deadline = Clock::now() + timeout;
  Outcome o;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (Clock::now() >= deadline) {
      o.timed_out = true;
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    if (!pump(20)) std::this_thread::sleep_for(5ms);
  }
  o.elapsed = Clock::now() - started_;
  // Drain what is left (a grandchild such as a detached QEMU may hold the pipes open: stop after a moment).
  const auto drain_until = Clock::now() + 500ms;
  while (Clock::now() < drain_until && pump(20)) {
  }
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  o.out = out_.substr(out_consumed_);
  o.err = err_;
  done_ = o;
  return o;
}

std::string qmpc_binary() { return QMPC_BINARY; }

Outcome run_qmpc(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                 std::vector<std::string> env) {
  std::vector<std::string> argv{qmpc_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  Child c(argv, std::move(env));
  auto o = c.wait(timeout);
  EXPECT_FALSE(o.timed_out) << "qmpc did not finish in time; stderr: " << o.err;
  return o;
}

Outcome run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  Child c(argv);
  return c.wait(timeout);
}

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/qmpc-cli-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {
std::string make_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/qmpc-qemu-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  return templ;
}
}  // namespace

Qemu::Qemu(int monitors, std::vector<std::string> extra_args) : dir_(make_dir()), monitors_(monitors) {
  std::vector<std::string> argv{qemu_tool("qemu-system-x86_64"), "-M", "none", "-nodefaults", "-display", "none"};
  for (int i = 0; i < monitors; ++i) {
    argv.push_back("-qmp");
    argv.push_back("unix:" + socket(i) + ",server=on,wait=off");
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  start(std::move(argv));
}

Qemu::Qemu(StorageDaemon daemon) : dir_(make_dir()), monitors_(1) {
  std::vector<std::string> argv{qemu_tool("qemu-storage-daemon")};
  argv.insert(argv.end(), daemon.args.begin(), daemon.args.end());
  argv.insert(argv.end(), {"--chardev", "socket,id=m0,path=" + socket(0) + ",server=on,wait=off", "--monitor",
                           "chardev=m0"});
  start(std::move(argv));
}

void Qemu::start(std::vector<std::string> argv) {
  child_.emplace(argv);
  const int monitors = monitors_;
  const auto deadline = Clock::now() + 15s;
  while (Clock::now() < deadline) {
    bool all = true;
    for (int i = 0; i < monitors; ++i) all = all && std::filesystem::exists(socket(i));
    if (all) {
      ok_ = true;
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  ADD_FAILURE() << "QEMU did not create its monitor sockets in 15 s; stderr: " << child_->err_so_far();
}

Qemu::~Qemu() {
  child_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string Qemu::socket(int i) const { return dir_ + "/qmp" + std::to_string(i) + ".sock"; }

void Qemu::kill(int sig) {
  if (child_) child_->signal(sig);
}

Outcome Qemu::wait(std::chrono::milliseconds timeout) { return child_->wait(timeout); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t p = 0, nl; (nl = text.find('\n', p)) != std::string::npos; p = nl + 1)
    lines.push_back(text.substr(p, nl - p));
  return lines;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace qmpc_cli_test
