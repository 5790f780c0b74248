#include "listening_socket.hpp"

#include <algorithm>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace qmpc_cli_test {

namespace {

sockaddr_un address_of(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.data(), std::min(path.size(), sizeof a.sun_path - 1));
  return a;
}

}  // namespace

int listening_socket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const auto a = address_of(path);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool accepts_a_connection(int listener) {
  sockaddr_un a{};
  socklen_t len = sizeof a;
  if (::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) != 0) return false;
  const int c = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool connected = ::connect(c, reinterpret_cast<const sockaddr*>(&a), len) == 0;
  ::close(c);
  if (!connected) return false;
  // Drain whatever is queued (the connect tests of the program under test, and ours).
  for (pollfd p{listener, POLLIN, 0}; ::poll(&p, 1, 0) == 1;) {
    const int s = ::accept(listener, nullptr, nullptr);
    if (s < 0) break;
    ::close(s);
  }
  return true;
}

}  // namespace qmpc_cli_test
