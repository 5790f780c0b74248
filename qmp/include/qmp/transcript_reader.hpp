// Parses transcript files (docs/transcript-format.md) into entries. Errors name the line number.
#pragma once

#include "qmp/error.hpp"
#include "qmp/transcript.hpp"
#include "qmp/transcript_lines.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace qmp {

// Line-by-line parser: feed the lines in order (without their '\n'), then take() the result.
// The first non-empty line must be the header; empty lines are skipped. seq must increase and t_us must not
// decrease (a transcript is in wire order).
class TranscriptReader {
 public:
  // False with `ec` (transcript_errc) and `diag.what` ("line 7: ...") set on the first bad line; the reader then
  // refuses further lines.
  bool feed_line(std::string_view line, error_code& ec, Diagnostics& diag);
  // Fails with transcript_errc::empty when no header was fed.
  std::optional<Transcript> finish(error_code& ec, Diagnostics& diag);

  std::size_t line_number() const noexcept { return line_no_; }
  // Marks the transcript as cut short (see parse_transcript); the line was not fed.
  void mark_truncated() noexcept { truncated_ = true; }

 private:
  std::size_t line_no_ = 0;
  bool failed_ = false;
  bool truncated_ = false;
  std::optional<Transcript> transcript_;
};

struct TranscriptReadOptions {
  // The longest line accepted (see qmp/transcript_lines.hpp): a longer one fails the read with
  // transcript_errc::line_too_long, before more than this much of it is in memory.
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
};

// Whole-text and whole-file helpers. A missing final newline is fine. A final line without newline that is not
// JSON (a recording cut short in the middle of writing it) is dropped and the result marked `truncated`. The file
// is read a chunk at a time. Errors of the file name it ("run.qmpt: line 7: ...").
std::optional<Transcript> parse_transcript(std::string_view text, error_code& ec, Diagnostics& diag,
                                           const TranscriptReadOptions& options = {});
std::optional<Transcript> read_transcript_file(const std::string& path, error_code& ec, Diagnostics& diag,
                                               const TranscriptReadOptions& options = {});

}  // namespace qmp
