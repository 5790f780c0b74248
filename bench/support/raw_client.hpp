// The baseline QMP client: a blocking UNIX socket, command bytes written as they are, replies read up to the
// newline, no JSON parsing at all. It is the least work any client can do per command.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qmpc_bench {

class RawClient {
 public:
  // Connects to the monitor at `path`, reads the greeting and sends qmp_capabilities (enabling oob if asked).
  // Throws std::runtime_error on failure.
  RawClient(const std::string& path, bool oob);
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  ~RawClient();

  void write_all(std::string_view bytes);
  // Reads one line (without "\r\n"); throws on EOF.
  std::string read_line();
  // Reads until `count` newlines were seen; returns the bytes read.
  std::size_t skip_lines(std::size_t count);
  int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
  std::string buf_;
  std::size_t pos_ = 0;
};

// `{"execute":"NAME","id":ID}\n`, the bytes qmpc sends for a command without arguments.
std::string raw_command(std::string_view name, std::size_t id);

}  // namespace qmpc_bench
