#include "detail/private_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qmp::detail {
namespace {

const char* type_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

bool refuse(const std::string& path, std::string why, error_code& ec, Diagnostics& diag) {
  ec = make_error_code(errc::invalid_argument);
  diag.what = "'" + path + "' " + why;
  return false;
}

bool system_failure(const std::string& doing, int err, error_code& ec, Diagnostics& diag) {
  ec = error_code(err, boost::system::system_category());
  diag.what = doing + ": " + std::strerror(err);
  return false;
}

}  // namespace

bool check_private_file_path(const std::string& path, ExistingFile existing, error_code& ec, Diagnostics& diag) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return system_failure("cannot look at '" + path + "'", errno, ec, diag);
    // Said now rather than when the first message comes.
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      return system_failure("cannot create '" + path + "' in '" + dir + "'", errno, ec, diag);
    return true;
  }
  if (S_ISLNK(st.st_mode))
    return refuse(path, "is a symbolic link; give the path of the file itself (links are never followed)", ec, diag);
  if (!S_ISREG(st.st_mode)) return refuse(path, std::string("is ") + type_of(st.st_mode) + ", not a regular file", ec, diag);
  if (existing == ExistingFile::refuse) return refuse(path, "exists already and would be replaced", ec, diag);
  return true;
}

int create_private_file(const std::string& path, ExistingFile existing, error_code& ec, Diagnostics& diag) {
  if (!check_private_file_path(path, existing, ec, diag)) return -1;
  if (existing == ExistingFile::replace && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
    system_failure("cannot replace '" + path + "'", errno, ec, diag);
    return -1;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    // EEXIST: something appeared at `path` since the check; it is left alone.
    system_failure("cannot create '" + path + "'", errno, ec, diag);
    return -1;
  }
  return fd;
}

}  // namespace qmp::detail
