// Cuts a stream of bytes into top-level JSON objects, whatever the chunking: one chunk may hold several objects,
// or part of one that the next chunk continues. Between objects it skips whitespace (CR, LF, ...) and the escaped
// terminators "\r" and "\n" that some logs print instead of the bytes; anything else there is counted as junk.
// Braces inside JSON strings are ignored. No I/O.
#pragma once

#include "qmp/transcript.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trace {

class JsonObjectSplitter {
 public:
  // An object that grows beyond `max_object_bytes` before it ends is dropped (and counted), so that input that
  // never closes its braces cannot take all memory.
  explicit JsonObjectSplitter(std::size_t max_object_bytes = SIZE_MAX) : max_(max_object_bytes) {}

  // Appends the objects completed by `chunk` to `out` (each the exact text from '{' to its '}').
  void feed(std::string_view chunk, std::vector<std::string>& out);
  // The incomplete object carried over to the next chunk ("" when none).
  const std::string& partial() const noexcept { return current_; }
  bool in_object() const noexcept { return depth_ > 0; }
  // Drops the incomplete object (e.g. when the source repeats it in full).
  void reset() noexcept;
  // Bytes between objects that were neither whitespace nor escaped terminators.
  std::size_t junk_bytes() const noexcept { return junk_; }
  // Objects dropped for growing beyond the limit.
  std::size_t oversized() const noexcept { return oversized_; }

 private:
  std::string current_;
  int depth_ = 0;
  qmp::JsonStringScanner strings_;
  bool pending_backslash_ = false;  // a '\' between objects, waiting for its 'r' or 'n'
  std::size_t junk_ = 0;
  std::size_t max_;
  std::size_t oversized_ = 0;
};

}  // namespace trace
