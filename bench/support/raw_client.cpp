#include "support/raw_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace qmpc_bench {

RawClient::RawClient(const std::string& path, bool oob) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (fd_ < 0 || path.size() >= sizeof addr.sun_path) throw std::runtime_error("raw client: bad socket");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("raw client: connect " + path + ": " + std::strerror(errno));
  }
  read_line();  // greeting
  write_all(oob ? "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}\n"
                : "{\"execute\":\"qmp_capabilities\"}\n");
  const std::string reply = read_line();
  if (reply.find("\"return\"") == std::string::npos) throw std::runtime_error("raw client: negotiation: " + reply);
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("raw client: write: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string RawClient::read_line() {
  for (;;) {
    const auto nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      std::string line = buf_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    buf_.erase(0, pos_);
    pos_ = 0;
    char tmp[4096];
    const ssize_t n = ::read(fd_, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("raw client: connection ended");
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
}

std::size_t RawClient::skip_lines(std::size_t count) {
  std::size_t bytes = 0;
  // Whatever is already buffered first.
  while (count > 0) {
    const auto nl = buf_.find('\n', pos_);
    if (nl == std::string::npos) break;
    pos_ = nl + 1;
    --count;
  }
  buf_.erase(0, pos_);
  pos_ = 0;
  char tmp[65536];
  while (count > 0) {
    const ssize_t n = ::read(fd_, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("raw client: connection ended");
    bytes += static_cast<std::size_t>(n);
    const char* p = tmp;
    const char* end = tmp + n;
    while (count > 0 && (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
      ++p;
      --count;
    }
    if (count == 0 && p && p < end) buf_.assign(p, end);
  }
  return bytes;
}

std::string raw_command(std::string_view name, std::size_t id) {
  std::string s = "{\"execute\":\"";
  s += name;
  s += "\",\"id\":";
  s += std::to_string(id);
  s += "}\n";
  return s;
}

}  // namespace qmpc_bench
