// Records a session's traffic as a transcript file (docs/transcript-format.md).
//
//   auto writer = qmp::TranscriptWriter::create("run.qmpt", ec, diag);
//   options.observer = writer;            // qmp::SessionOptions
//
// The file is created with mode 0600 (it shows what was sent to QEMU), truncated if it exists, and each line is
// written with one write(2) as soon as the message is seen, so a crash loses at most the line being written. The
// header is written with the first message, so that a greeting there gives it the QEMU version. Secrets are
// redacted again before writing (qmp::redact), whatever the caller did.
#pragma once

#include "qmp/error.hpp"
#include "qmp/transcript.hpp"
#include "qmp/traffic_observer.hpp"

#include <memory>
#include <string>

namespace qmp {

class TranscriptWriter final : public TrafficObserver {
 public:
  // Nullptr with `ec`/`diag` set when the file cannot be created. `header` gives source and origin; its version is
  // forced to kTranscriptFormatVersion, qemu_version comes from the greeting when empty, started from the clock.
  static std::shared_ptr<TranscriptWriter> create(const std::string& path, error_code& ec, Diagnostics& diag,
                                                  TranscriptHeader header = {});
  ~TranscriptWriter() override;
  TranscriptWriter(const TranscriptWriter&) = delete;
  TranscriptWriter& operator=(const TranscriptWriter&) = delete;

  void on_message(Direction direction, std::uint64_t seq, Clock::time_point time, std::string_view json) override;

  // Writes an entry whose time is already relative to the start (imports). The header goes first if not yet written.
  void append(const TranscriptEntry& entry);
  // Writes the header now if no message came (so an empty session still leaves a valid file), then closes.
  // Returns the first write error seen, if any (later messages are dropped after an error).
  error_code close();

  const error_code& error() const noexcept { return ec_; }
  const std::string& error_text() const noexcept { return error_text_; }
  std::uint64_t entries_written() const noexcept { return written_; }

 private:
  TranscriptWriter(int fd, std::string path, TranscriptHeader header);
  void write_header_if_needed(std::string_view first_json);
  void write_line(std::string line);

  int fd_ = -1;
  std::string path_;
  TranscriptHeader header_;
  bool header_written_ = false;
  std::optional<Clock::time_point> origin_;  // steady time of t_us == 0
  WallClock::time_point wall_at_create_;
  Clock::time_point steady_at_create_;
  std::uint64_t written_ = 0;
  error_code ec_;
  std::string error_text_;
};

// Writes a whole transcript to `path` (mode 0600). False with `ec`/`diag` set on failure.
bool write_transcript_file(const std::string& path, const Transcript& transcript, error_code& ec, Diagnostics& diag);
// The whole transcript as text (header line, entry lines, each ending in '\n').
std::string format_transcript(const Transcript& transcript);

}  // namespace qmp
