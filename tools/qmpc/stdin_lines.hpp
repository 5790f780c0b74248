// The lines of standard input, read without blocking the thread when it is a pipe, a socket or a terminal (so
// that Ctrl-C and the monitor are served meanwhile), and with plain reads when it is a file or /dev/null. A line
// is at most 16 MiB; a longer one ends the input with an error.
#pragma once

#include "qmp/line_framer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <optional>
#include <string>

namespace qmpc {

class StdinLines {
 public:
  explicit StdinLines(const boost::asio::any_io_executor& executor);

  // The next non-empty line (without "\n" or "\r\n"); nullopt at the end of input, or with `error` set when it
  // could not be read.
  boost::asio::awaitable<std::optional<std::string>> next(std::string& error);
  // Makes a wait in next() end as at the end of input.
  void cancel();

 private:
  boost::asio::posix::stream_descriptor descriptor_;
  bool pollable_ = false;
  bool ended_ = false;
  qmp::LineFramer framer_;
};

}  // namespace qmpc
