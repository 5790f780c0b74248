#include "qmp/line_framer.hpp"

#include <cstring>

namespace qmp {

void LineFramer::compact() {
  if (pos_ == 0) return;
  if (pos_ == buf_.size()) {
    buf_.clear();
  } else {
    buf_.erase(0, pos_);
  }
  pos_ = 0;
}

void LineFramer::feed(std::string_view bytes) {
  // Drop what next() already handed out before growing the buffer, so it never holds more than one partial line
  // plus the new bytes.
  compact();
  buf_.append(bytes.data(), bytes.size());
}

LineFramer::Status LineFramer::next(std::string_view& line) {
  for (;;) {
    const std::size_t avail = buf_.size() - pos_;
    const char* start = buf_.data() + pos_;
    const void* nl = scanned_ < avail ? std::memchr(start + scanned_, '\n', avail - scanned_) : nullptr;
    if (!nl) {
      scanned_ = avail;
      // A partial line: its length so far, minus a trailing '\r' that may belong to the terminator.
      std::size_t partial = avail;
      if (partial > 0 && start[partial - 1] == '\r') --partial;
      return partial > max_line_ ? Status::too_large : Status::need_more;
    }
    const std::size_t len_with_nl = static_cast<std::size_t>(static_cast<const char*>(nl) - start) + 1;
    std::size_t len = len_with_nl - 1;
    if (len > 0 && start[len - 1] == '\r') --len;
    pos_ += len_with_nl;
    consumed_ += len_with_nl;
    scanned_ = 0;
    if (len > max_line_) return Status::too_large;
    if (len == 0) continue;  // blank line
    line = std::string_view(start, len);
    return Status::line;
  }
}

}  // namespace qmp
