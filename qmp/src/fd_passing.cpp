#include "qmp/fd_passing.hpp"

#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace qmp {

ssize_t send_with_fds(int socket, std::string_view bytes, std::span<const int> fds) {
  msghdr msg{};
  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cm), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    const ssize_t n = ::sendmsg(socket, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0 || errno != EINTR) return n;
  }
}

ReceivedBytes receive_with_fds(int socket, std::span<char> buffer, std::size_t max_fds) {
  ReceivedBytes out;
  msghdr msg{};
  iovec iov{buffer.data(), buffer.size()};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(sizeof(int) * max_fds));
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  do {
    out.size = ::recvmsg(socket, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (out.size < 0 && errno == EINTR);
  if (out.size < 0) {
    out.error = errno;
    return out;
  }
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < n; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
      out.fds.emplace_back(fd);
    }
  }
  out.fds_truncated = (msg.msg_flags & MSG_CTRUNC) != 0;
  return out;
}

namespace detail {

void start_write_with_fds(boost::asio::generic::stream_protocol::socket& socket, std::string_view bytes,
                          std::vector<int> fds, boost::asio::any_completion_handler<void(error_code)> handler) {
  namespace asio = boost::asio;
  socket.async_wait(asio::socket_base::wait_write, [&socket, bytes, fds = std::move(fds),
                                                     h = std::move(handler)](error_code ec) mutable {
    if (ec) return std::move(h)(ec);
    const ssize_t n = send_with_fds(socket.native_handle(), bytes, fds);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return start_write_with_fds(socket, bytes, std::move(fds), std::move(h));
    if (n < 0) return std::move(h)(error_code(errno, boost::system::system_category()));
    // The descriptors travelled with the first byte; the rest is plain data.
    const auto sent = static_cast<std::size_t>(n);
    if (sent == bytes.size()) return std::move(h)(error_code{});
    asio::async_write(socket, asio::buffer(bytes.data() + sent, bytes.size() - sent),
                      [h = std::move(h)](error_code wec, std::size_t) mutable { std::move(h)(wec); });
  });
}

}  // namespace detail

}  // namespace qmp
