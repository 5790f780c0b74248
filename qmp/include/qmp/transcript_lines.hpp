// Reads text one line at a time, with a bound on the length of a line, for the readers of transcripts and of
// libvirt logs. A file is read in chunks and no line is kept past its handler: memory stays within the bound plus
// one chunk, and a line longer than the bound ends the read with an error naming the line and the limit, as soon as
// the bytes read of it pass the bound.
#pragma once

#include "qmp/error.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace qmp {

// The longest line a file reader accepts by default: the longest message a session accepts
// (SessionOptions::max_message_size, 10 MiB) plus 4 KiB for what a line holds besides it (an entry's seq, t_us and
// dir; a libvirt log line's timestamp, function and monitor), so that a message a session or libvirt took can be
// read back. A raw entry escapes control bytes (up to 6 bytes each): one of many such bytes may need more.
inline constexpr std::size_t kDefaultMaxLineBytes = 10 * 1024 * 1024 + 4096;

struct TextLine {
  std::size_t number = 0;  // 1-based
  std::string_view text;   // without its '\n' (a '\r' before it is kept)
  bool terminated = true;  // false: the input's last line, which has no '\n'
};

// Return false to stop reading (the handler then sets the error it wants reported).
using LineHandler = std::function<bool(const TextLine&)>;

// Hands every line of `text`, or of the file at `path`, to `on_line` in order. False with `ec`/`diag` set when a
// line is longer than `max_line_bytes` (its '\r\n' or '\n' not counted; transcript_errc::line_too_long,
// "line 7 is longer than the limit of 10489856 bytes"), when the file cannot be opened or read ("cannot read
// 'x': Is a directory"), or when `on_line` returned false.
bool for_each_line(std::string_view text, std::size_t max_line_bytes, const LineHandler& on_line, error_code& ec,
                   Diagnostics& diag);
bool for_each_file_line(const std::string& path, std::size_t max_line_bytes, const LineHandler& on_line,
                        error_code& ec, Diagnostics& diag);

}  // namespace qmp
