#include "child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace qmp::detail {

namespace {

// posix_spawn's attribute and file-action objects, destroyed on every path out.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  bool actions_ok = false, attr_ok = false;
  ~SpawnSetup() {
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
    if (attr_ok) posix_spawnattr_destroy(&attr);
  }
};

SpawnResult failure(int error, std::string what) {
  SpawnResult r;
  r.error = error;
  r.what = std::move(what);
  return r;
}

}  // namespace

SpawnResult spawn_child(const SpawnRequest& req) {
  if (req.argv.empty()) return failure(EINVAL, "empty argv");
  SpawnSetup s;
  if (int e = posix_spawn_file_actions_init(&s.actions)) return failure(e, "posix_spawn_file_actions_init");
  s.actions_ok = true;
  if (int e = posix_spawnattr_init(&s.attr)) return failure(e, "posix_spawnattr_init");
  s.attr_ok = true;

  // The child starts with default signal dispositions and an empty mask, whatever the parent did
  // (a test runner may block or ignore signals; QEMU must still die on SIGTERM).
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  int rc = posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  if (rc == 0) {
    if (req.output_fd >= 0) {
      rc = posix_spawn_file_actions_adddup2(&s.actions, req.output_fd, 1);
      if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, req.output_fd, 2);
    } else {
      rc = posix_spawn_file_actions_addopen(&s.actions, 1, "/dev/null", O_WRONLY, 0);
      if (rc == 0) rc = posix_spawn_file_actions_addopen(&s.actions, 2, "/dev/null", O_WRONLY, 0);
    }
  }
  int first_closed = 3;
  if (rc == 0 && req.inherited_fd >= 0) {
    // dup2 onto the same number clears FD_CLOEXEC (glibc >= 2.29), so this works even when the numbers match.
    rc = posix_spawn_file_actions_adddup2(&s.actions, req.inherited_fd, req.inherited_fd_number);
    first_closed = req.inherited_fd_number + 1;
  }
  // Nothing else leaks into the child, even descriptors someone opened without O_CLOEXEC.
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&s.actions, first_closed);
  if (rc != 0) return failure(rc, "posix_spawn_file_actions");

  std::vector<char*> argv;
  argv.reserve(req.argv.size() + 1);
  for (const auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  pid_t pid = -1;
  rc = posix_spawnp(&pid, argv[0], &s.actions, &s.attr, argv.data(), environ);
  if (rc != 0) return failure(rc, "cannot execute " + req.argv[0]);

  SpawnResult r;
  r.pid = pid;
  r.pidfd.reset(open_pidfd(pid));
  if (!r.pidfd) {
    // Without a pidfd the exit cannot be watched: do not leave an unsupervised child behind.
    int e = errno;
    ::kill(pid, SIGKILL);
    ExitStatus ignored;
    reap_blocking(pid, ignored);
    return failure(e, "pidfd_open");
  }
  ::fcntl(r.pidfd.get(), F_SETFD, FD_CLOEXEC);
  return r;
}

ExitStatus exit_status_from_wait(int st) {
  ExitStatus s;
  if (WIFEXITED(st)) {
    s.exited = true;
    s.code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    s.signal = WTERMSIG(st);
  }
  return s;
}

bool try_reap(pid_t pid, ExitStatus& status) {
  int st = 0;
  pid_t r;
  do r = ::waitpid(pid, &st, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == pid) {
    status = exit_status_from_wait(st);
    return true;
  }
  if (r < 0 && errno == ECHILD) {
    status = ExitStatus{};
    return true;
  }
  return false;
}

void reap_blocking(pid_t pid, ExitStatus& status) {
  int st = 0;
  pid_t r;
  do r = ::waitpid(pid, &st, 0);
  while (r < 0 && errno == EINTR);
  status = r == pid ? exit_status_from_wait(st) : ExitStatus{};
}

int open_pidfd(pid_t pid) noexcept { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int send_signal_to_pidfd(int pidfd, int sig) noexcept {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

std::string make_private_dir(const std::string& prefix, const std::string& base) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = !base.empty() ? base : tmp && *tmp ? std::string(tmp) : std::string("/tmp");
  std::string templ = dir + "/" + prefix + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return {};
  return templ;  // mkdtemp creates it with mode 0700
}

}  // namespace qmp::detail
