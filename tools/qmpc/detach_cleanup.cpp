#include "detach_cleanup.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace qmpc {
namespace {

// In the forked watcher: only system calls from here on (the parent's threads and locks are not ours).
[[noreturn]] void watch(int pidfd, const char* socket_path, const char* dir) {
  ::setsid();
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
  // Everything else is closed: a caller reading qmpc's stdout or stderr to the end must not wait for us.
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != pidfd) ::close(fd);
  }
  pollfd p{pidfd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
  struct stat st {};
  if (::lstat(socket_path, &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(socket_path);
  ::rmdir(dir);
  ::_exit(0);
}

}  // namespace

bool remove_dir_when_exited(pid_t qemu, const std::string& socket_path, const std::string& dir, std::string& why) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, qemu, 0));
  if (pidfd < 0) {
    why = std::string("pidfd_open: ") + std::strerror(errno);
    return false;
  }
  const pid_t watcher = ::fork();
  if (watcher == 0) watch(pidfd, socket_path.c_str(), dir.c_str());
  const int saved = errno;
  ::close(pidfd);
  if (watcher < 0) {
    why = std::string("fork: ") + std::strerror(saved);
    return false;
  }
  return true;
}

}  // namespace qmpc
