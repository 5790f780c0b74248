#include "qmp/transcript_reader.hpp"

#include "qmp/transcript_error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace qmp {

bool TranscriptReader::feed_line(std::string_view line, error_code& ec, Diagnostics& diag) {
  ++line_no_;
  if (failed_) return false;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
  const auto prefix_error = [&] {
    failed_ = true;
    diag.desc = "line " + std::to_string(line_no_) + ": " + diag.desc;
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
      diag.desc = "seq " + std::to_string(entry->seq) + " does not follow seq " + std::to_string(prev.seq);
      return prefix_error();
    }
    if (entry->time < prev.time) {
      ec = transcript_errc::out_of_order;
      diag.desc = "t_us " + std::to_string(entry->time.count()) + " is before the previous entry's " +
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
    diag.desc = "no transcript header (the input is empty)";
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

}  // namespace

std::optional<Transcript> parse_transcript(std::string_view text, error_code& ec, Diagnostics& diag) {
  TranscriptReader reader;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    if (nl == std::string_view::npos && reader.line_number() > 0 && is_cut_short(line)) {
      reader.mark_truncated();
      break;
    }
    if (!reader.feed_line(line, ec, diag)) return std::nullopt;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return reader.finish(ec, diag);
}

std::optional<Transcript> read_transcript_file(const std::string& path, error_code& ec, Diagnostics& diag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ec = error_code(errno ? errno : ENOENT, boost::system::system_category());
    diag.desc = "cannot open '" + path + "': " + std::strerror(ec.value());
    return std::nullopt;
  }
  TranscriptReader reader;
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof() && reader.line_number() > 0 && is_cut_short(line)) {  // no newline after it
      reader.mark_truncated();
      break;
    }
    if (!reader.feed_line(line, ec, diag)) {
      diag.desc = path + ": " + diag.desc;
      return std::nullopt;
    }
  }
  auto t = reader.finish(ec, diag);
  if (!t) diag.desc = path + ": " + diag.desc;
  return t;
}

}  // namespace qmp
