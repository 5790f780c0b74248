#include "qmp/transcript_reader.hpp"

#include "qmp/transcript_error.hpp"

namespace qmp {

bool TranscriptReader::feed_line(std::string_view line, error_code& ec, Diagnostics& diag) {
  ++line_no_;
  if (failed_) return false;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
  const auto prefix_error = [&] {
    failed_ = true;
    diag.what = "line " + std::to_string(line_no_) + ": " + diag.what;
    return false;
  };
  if (!transcript_) {
    auto header = parse_header_line(line, ec, diag);
    if (!header) return prefix_error();
    transcript_.emplace();
    transcript_->header = std::move(*header);
    return true;
  }
  auto entry = parse_entry_line(line, ec, diag);
  if (!entry) return prefix_error();
  if (!transcript_->entries.empty()) {
    const TranscriptEntry& prev = transcript_->entries.back();
    if (entry->seq <= prev.seq) {
      ec = transcript_errc::out_of_order;
      diag.what = "seq " + std::to_string(entry->seq) + " does not follow seq " + std::to_string(prev.seq);
      return prefix_error();
    }
    if (entry->time < prev.time) {
      ec = transcript_errc::out_of_order;
      diag.what = "t_us " + std::to_string(entry->time.count()) + " is before the previous entry's " +
                  std::to_string(prev.time.count());
      return prefix_error();
    }
  }
  transcript_->entries.push_back(std::move(*entry));
  return true;
}

std::optional<Transcript> TranscriptReader::finish(error_code& ec, Diagnostics& diag) {
  if (failed_) return std::nullopt;
  if (!transcript_) {
    ec = transcript_errc::empty;
    diag.what = "no transcript header (the input is empty)";
    return std::nullopt;
  }
  transcript_->truncated = truncated_;
  return std::move(transcript_);
}

namespace {

// A last line without its newline that is no JSON object: what a crash in the middle of a write leaves.
bool is_cut_short(std::string_view last_line) {
  return !json::parse_object(last_line).has_value();
}

// Feeds the lines of `text` or of the file at `path` (when `text` is null) to a reader.
std::optional<Transcript> read_lines(const std::string_view* text, const std::string& path, error_code& ec,
                                     Diagnostics& diag, const TranscriptReadOptions& options) {
  TranscriptReader reader;
  const LineHandler feed = [&](const TextLine& line) {
    if (!line.terminated && reader.line_number() > 0 && is_cut_short(line.text)) {
      reader.mark_truncated();
      return true;
    }
    return reader.feed_line(line.text, ec, diag);
  };
  const bool ok = text ? for_each_line(*text, options.max_line_bytes, feed, ec, diag)
                       : for_each_file_line(path, options.max_line_bytes, feed, ec, diag);
  auto t = ok ? reader.finish(ec, diag) : std::nullopt;
  if (!t && !text && ec.category() == transcript_category()) diag.what = path + ": " + diag.what;
  return t;
}

}  // namespace

std::optional<Transcript> parse_transcript(std::string_view text, error_code& ec, Diagnostics& diag,
                                           const TranscriptReadOptions& options) {
  return read_lines(&text, {}, ec, diag, options);
}

std::optional<Transcript> read_transcript_file(const std::string& path, error_code& ec, Diagnostics& diag,
                                               const TranscriptReadOptions& options) {
  return read_lines(nullptr, path, ec, diag, options);
}

}  // namespace qmp
