#include "files/private_files.hpp"

#include <cerrno>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

namespace qmpc {

bool make_private_folders(const std::string& path, std::string* error) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      if (error) *error = "cannot create '" + prefix + "': " + std::strerror(errno);
      return false;
    }
    if (slash == std::string::npos) return true;
  }
}

std::optional<std::string> read_all(int fd, std::size_t limit) {
  std::string text;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > limit) {
      errno = EFBIG;
      return std::nullopt;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace qmpc
