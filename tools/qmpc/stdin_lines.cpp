#include "stdin_lines.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace qmpc {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kMaxLine = 16u << 20;
}

StdinLines::StdinLines(const asio::any_io_executor& executor) : descriptor_(executor), framer_(kMaxLine) {
  const int fd = ::dup(STDIN_FILENO);
  if (fd < 0) return;
  boost::system::error_code ec;
  descriptor_.assign(fd, ec);  // epoll refuses regular files and /dev/null (EPERM): those are read plainly
  if (ec) {
    ::close(fd);
    return;
  }
  pollable_ = true;
}

void StdinLines::cancel() {
  ended_ = true;
  if (pollable_) descriptor_.cancel();
}

asio::awaitable<std::optional<std::string>> StdinLines::next(std::string& error) {
  char buf[65536];
  while (true) {
    std::string_view line;
    switch (framer_.next(line)) {
      case qmp::LineFramer::Status::line: {
        std::string text(line);
        if (!text.empty() && text.back() == '\r') text.pop_back();
        co_return text;
      }
      case qmp::LineFramer::Status::too_large:
        error = "standard input: a line longer than 16 MiB";
        ended_ = true;
        co_return std::nullopt;
      case qmp::LineFramer::Status::need_more: break;
    }
    if (ended_) co_return std::nullopt;
    std::size_t n = 0;
    if (pollable_) {
      auto [ec, got] = co_await descriptor_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::eof || ec == asio::error::operation_aborted || (!ec && got == 0)) {
        n = 0;
      } else if (ec) {
        error = "standard input: " + ec.message();
        ended_ = true;
        co_return std::nullopt;
      } else {
        n = got;
      }
    } else {
      ssize_t r;
      do r = ::read(STDIN_FILENO, buf, sizeof buf);
      while (r < 0 && errno == EINTR);
      if (r < 0) {
        error = std::string("standard input: ") + std::strerror(errno);
        ended_ = true;
        co_return std::nullopt;
      }
      n = static_cast<std::size_t>(r);
    }
    if (n == 0) {
      ended_ = true;
      framer_.feed("\n");  // a last line without its newline
      continue;
    }
    framer_.feed(std::string_view(buf, n));
  }
}

}  // namespace qmpc
