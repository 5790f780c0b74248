// Sending and receiving file descriptors with SCM_RIGHTS on a UNIX stream socket, without blocking: the two system
// calls the session's writer and qmpc proxy share. The descriptors travel with the first byte sent; the receiver
// gets them with the read that takes that byte.
#pragma once

#include "qmp/error.hpp"
#include "qmp/unique_fd.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/generic/stream_protocol.hpp>

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace qmp {

// sendmsg(MSG_DONTWAIT | MSG_NOSIGNAL) of `bytes` with `fds` attached. Returns the bytes sent (the descriptors
// went with them), or -1 with errno set (EAGAIN: nothing was sent, try again once writable).
ssize_t send_with_fds(int socket, std::string_view bytes, std::span<const int> fds);

// QEMU's chardev takes at most 16 descriptors with one message (TCP_MAX_FDS).
inline constexpr std::size_t kMaxPassedFds = 16;

struct ReceivedBytes {
  ssize_t size = -1;           // bytes read, 0 at EOF, -1 with `error` set
  int error = 0;               // errno when size is -1 (EAGAIN: nothing there yet)
  std::vector<UniqueFd> fds;   // descriptors that came with them (close-on-exec)
  bool fds_truncated = false;  // more than `max_fds` were sent: the kernel discarded the rest
};

// recvmsg(MSG_DONTWAIT | MSG_CMSG_CLOEXEC) into `buffer`, taking up to `max_fds` descriptors.
ReceivedBytes receive_with_fds(int socket, std::span<char> buffer, std::size_t max_fds = kMaxPassedFds);

namespace detail {
void start_write_with_fds(boost::asio::generic::stream_protocol::socket& socket, std::string_view bytes,
                          std::vector<int> fds, boost::asio::any_completion_handler<void(error_code)> handler);
}  // namespace detail

// Writes all of `bytes` (which must stay valid until completion), `fds` going with the first byte; waits while
// the socket is full. The descriptors stay the caller's: it may close them once this completes.
template <typename Token>
auto async_write_with_fds(boost::asio::generic::stream_protocol::socket& socket, std::string_view bytes,
                          std::vector<int> fds, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code)>(
      [&socket](auto handler, std::string_view b, std::vector<int> f) {
        detail::start_write_with_fds(socket, b, std::move(f),
                                     boost::asio::any_completion_handler<void(error_code)>(std::move(handler)));
      },
      token, bytes, std::move(fds));
}

}  // namespace qmp
