// Records a session's traffic as a transcript file (docs/transcript-format.md).
//
//   auto writer = qmp::TranscriptWriter::create("run.qmpt", ec, diag);
//   options.observer = writer;            // qmp::SessionOptions
//
// The file is created only when the first message is seen (for a session: once it is connected), so a failed
// connection leaves no file and destroys none. It is created new, mode 0600 (it shows what was sent to QEMU), with
// O_EXCL and O_NOFOLLOW: a symbolic link, a device, a FIFO or a directory at the path is refused, and so is an
// existing file unless ExistingFile::replace is given (the old file is then unlinked, never truncated or chmodded).
// create() checks the path at once, so a refusal comes before any connection. Each line is written with one
// write(2) as soon as the message is seen, so a crash loses at most the line being written. The header is written
// with the first message, so that a greeting there gives it the QEMU version. Secrets are redacted again before
// writing (qmp::redact), whatever the caller did.
#pragma once

#include "qmp/error.hpp"
#include "qmp/transcript.hpp"
#include "qmp/traffic_observer.hpp"

#include <memory>
#include <string>

namespace qmp {

// What to do when the file to write exists already (a regular file; anything else is always refused).
enum class ExistingFile { refuse, replace };

class TranscriptWriter final : public TrafficObserver {
 public:
  // Nullptr with `ec`/`diag` set when the path is refused (errc::invalid_argument: a link, not a regular file, or
  // an existing file without ExistingFile::replace) or cannot be looked at. `header` gives source and origin; its
  // version is forced to kTranscriptFormatVersion, qemu_version comes from the greeting when empty, started from
  // the clock.
  static std::shared_ptr<TranscriptWriter> create(const std::string& path, error_code& ec, Diagnostics& diag,
                                                  TranscriptHeader header = {},
                                                  ExistingFile existing = ExistingFile::refuse);
  ~TranscriptWriter() override;
  TranscriptWriter(const TranscriptWriter&) = delete;
  TranscriptWriter& operator=(const TranscriptWriter&) = delete;

  void on_message(Direction direction, std::uint64_t seq, Clock::time_point time, std::string_view json) override;
  // As on_message, the entry tagged with `client` (TranscriptEntry::client): what `qmpc proxy` records.
  void record(Direction direction, std::uint64_t seq, Clock::time_point time, std::string_view json,
              std::optional<std::uint64_t> client);

  // Writes an entry whose time is already relative to the start (imports). The header goes first if not yet written.
  void append(const TranscriptEntry& entry);
  // Closes the file. When no message came, no file was created and none is. Returns the first error seen creating
  // or writing the file, if any (later messages are dropped after an error).
  error_code close();
  // True once the file has been created.
  bool file_created() const noexcept { return created_; }

  const error_code& error() const noexcept { return ec_; }
  const std::string& error_text() const noexcept { return error_text_; }
  std::uint64_t entries_written() const noexcept { return written_; }

 private:
  TranscriptWriter(std::string path, TranscriptHeader header, ExistingFile existing);
  void write_header_if_needed(std::string_view first_json);
  void write_line(std::string line);

  int fd_ = -1;
  bool created_ = false;
  bool closed_ = false;
  std::string path_;
  ExistingFile existing_;
  TranscriptHeader header_;
  bool header_written_ = false;
  std::optional<Clock::time_point> origin_;  // steady time of t_us == 0
  WallClock::time_point wall_at_create_;
  Clock::time_point steady_at_create_;
  std::uint64_t written_ = 0;
  error_code ec_;
  std::string error_text_;
};

// Writes a whole transcript to a new file `path` (mode 0600; refusals as for TranscriptWriter). False with
// `ec`/`diag` set on failure.
bool write_transcript_file(const std::string& path, const Transcript& transcript, error_code& ec, Diagnostics& diag,
                           ExistingFile existing = ExistingFile::refuse);
// The whole transcript as text (header line, entry lines, each ending in '\n').
std::string format_transcript(const Transcript& transcript);

}  // namespace qmp
