// Splits the byte stream from a QMP server into lines. No I/O: bytes are fed in, complete lines come out.
//
// QEMU ends every line with "\r\n"; a bare "\n" is accepted too, and the "\r" may arrive in one read and the
// "\n" in the next. Empty lines are skipped. A line longer than the maximum is an error, detected as soon as the
// buffered part of it exceeds the maximum, so memory stays bounded by max_line + one read.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace qmp {

class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line = 10 * 1024 * 1024) : max_line_(max_line) {}

  enum class Status { line, need_more, too_large };

  // Appends bytes to the internal buffer.
  void feed(std::string_view bytes);

  // The same without the copy, for a reader: room for up to `n` more bytes at the end of the buffer, to read into;
  // commit(k) then appends the first k of them (k <= n). Like feed(), prepare() ends the validity of lines handed
  // out before it.
  std::span<char> prepare(std::size_t n);
  void commit(std::size_t n) noexcept { size_ += n; }

  // Extracts the next complete line (without its terminator) into `line`. The view stays valid until the next
  // call to feed() or next().
  Status next(std::string_view& line);

  // Bytes buffered that do not yet form a complete line.
  std::size_t pending_bytes() const noexcept { return size_ - pos_; }
  // Total bytes consumed as lines or terminators so far (the stream offset of the next unread byte).
  std::size_t consumed() const noexcept { return consumed_; }
  std::size_t max_line() const noexcept { return max_line_; }

 private:
  void compact();
  void reserve(std::size_t capacity);
  std::unique_ptr<char[]> buf_;  // not zeroed: bytes past size_ are never read
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t pos_ = 0;       // start of unread data in buf_
  std::size_t scanned_ = 0;   // how far past pos_ we already know there is no '\n'
  std::size_t consumed_ = 0;
  std::size_t max_line_;
};

}  // namespace qmp
