#include "qmp/socket_path.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace qmp {
namespace {

bool refuse(const std::string& path, const std::string& why, error_code& ec, Diagnostics& diag) {
  ec = make_error_code(errc::invalid_argument);
  diag.what = "cannot listen on '" + path + "': " + why;
  return false;
}

// 0 when somebody accepts connections on `path` (or queues them), else the errno of the connect.
int connect_test(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return ENAMETOOLONG;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = rc == 0 ? 0 : errno;
  ::close(fd);
  return err == EAGAIN || err == EINPROGRESS ? 0 : err;  // a full backlog: somebody listens
}

}  // namespace

bool claim_socket_path(const std::string& path, error_code& ec, Diagnostics& diag) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return true;  // nothing there (or bind will say why not)
  if (!S_ISSOCK(st.st_mode)) return refuse(path, "it exists and is not a socket (left alone)", ec, diag);
  const int err = connect_test(path);
  if (err == 0) return refuse(path, "another program listens on this socket (a connect succeeded); it is left alone", ec, diag);
  if (err != ECONNREFUSED)
    return refuse(path, std::string("the socket there cannot be tested: ") + std::strerror(err), ec, diag);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    ec = error_code(errno, boost::system::system_category());
    diag.what = "cannot remove the stale socket '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

OwnedSocketFile::OwnedSocketFile(std::string path) {
  struct stat st {};
  if (path.empty() || ::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return;
  path_ = std::move(path);
  dev_ = st.st_dev;
  ino_ = st.st_ino;
}

OwnedSocketFile::OwnedSocketFile(OwnedSocketFile&& other) noexcept
    : path_(std::exchange(other.path_, {})), dev_(other.dev_), ino_(other.ino_) {}

OwnedSocketFile& OwnedSocketFile::operator=(OwnedSocketFile&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
    dev_ = other.dev_;
    ino_ = other.ino_;
  }
  return *this;
}

void OwnedSocketFile::remove() noexcept {
  if (path_.empty()) return;
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev_ && st.st_ino == ino_)
    ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace qmp
