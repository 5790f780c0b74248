// An owned file descriptor, closed on destruction; and writing all of a text to a blocking descriptor.
#pragma once

#include <string_view>

namespace qmp {

// Writes all of `bytes` to the blocking descriptor `fd`, again after EINTR; false (errno set) when a write fails.
bool write_all(int fd, std::string_view bytes) noexcept;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept;
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

}  // namespace qmp
