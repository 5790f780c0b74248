// A UNIX socket path that a program is about to listen on (or to have QEMU listen on), and its removal later.
//
//   if (!qmp::claim_socket_path(path, ec, diag)) ...;   // refuses a live socket, removes a stale one
//   bind(path);
//   qmp::OwnedSocketFile bound(path);                     // remembers which file is ours
//   ...                                                   // removed when `bound` goes, if still ours
#pragma once

#include "qmp/error.hpp"

#include <sys/types.h>

#include <string>

namespace qmp {

// Makes `path` free for a new listening socket. Nothing there: true. A socket nobody listens on (a connect to it
// is refused): stale, removed, true. A socket somebody listens on (a connect succeeds or is queued), or anything
// that is not a socket (never removed): false with `ec` (errc::invalid_argument) and `diag` ("cannot listen on
// 'PATH': ...") saying what is there.
bool claim_socket_path(const std::string& path, error_code& ec, Diagnostics& diag);

// The socket file this program created at a path: removed by remove() or the destructor if the path still names
// that file (device and inode), never a socket somebody else put there since.
class OwnedSocketFile {
 public:
  OwnedSocketFile() = default;
  explicit OwnedSocketFile(std::string path);  // "" or nothing at `path`: owns nothing
  ~OwnedSocketFile() { remove(); }
  OwnedSocketFile(OwnedSocketFile&& other) noexcept;
  OwnedSocketFile& operator=(OwnedSocketFile&& other) noexcept;

  void remove() noexcept;
  void release() noexcept { path_.clear(); }  // the file stays, no longer ours to remove
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace qmp
