#include "qmp/line_framer.hpp"

#include <algorithm>
#include <cstring>

namespace qmp {

void LineFramer::compact() {
  if (pos_ == 0) return;
  size_ -= pos_;
  if (size_ > 0) std::memmove(buf_.get(), buf_.get() + pos_, size_);
  pos_ = 0;
}

void LineFramer::reserve(std::size_t capacity) {
  if (capacity <= capacity_) return;
  const std::size_t grown = std::max(capacity, capacity_ * 2);
  auto bigger = std::make_unique_for_overwrite<char[]>(grown);
  if (size_ > 0) std::memcpy(bigger.get(), buf_.get(), size_);
  buf_ = std::move(bigger);
  capacity_ = grown;
}

// Both drop what next() already handed out before growing the buffer, so it never holds more than one partial
// line plus the new bytes.
void LineFramer::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  compact();
  reserve(size_ + bytes.size());
  std::memcpy(buf_.get() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

std::span<char> LineFramer::prepare(std::size_t n) {
  compact();
  reserve(size_ + n);
  return {buf_.get() + size_, n};
}

LineFramer::Status LineFramer::next(std::string_view& line) {
  for (;;) {
    const std::size_t avail = size_ - pos_;
    const char* start = buf_.get() + pos_;
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
