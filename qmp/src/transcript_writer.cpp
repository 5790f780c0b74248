#include "qmp/transcript_writer.hpp"

#include "detail/private_file.hpp"
#include "qmp/redact.hpp"
#include "qmp/unique_fd.hpp"

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace qmp {
namespace {

// "7.2.22" from a greeting's text, or "" when it is no greeting.
std::string qemu_version_of(std::string_view json_text) {
  if (json_text.find("\"QMP\"") == std::string_view::npos) return {};
  auto doc = json::parse_object(json_text);
  if (!doc) return {};
  const json::Value* qmp = json::find(*doc, "QMP");
  const json::Value* version = qmp ? json::find(*qmp, "version") : nullptr;
  const json::Value* qemu = version ? json::find(*version, "qemu") : nullptr;
  if (!qemu) return {};
  const auto major = json::get_int(*qemu, "major");
  const auto minor = json::get_int(*qemu, "minor");
  const auto micro = json::get_int(*qemu, "micro");
  if (!major || !minor || !micro) return {};
  return std::to_string(*major) + "." + std::to_string(*minor) + "." + std::to_string(*micro);
}

std::string redacted(std::string_view json_text) {
  return may_hold_secret(json_text) ? redact(json_text) : std::string(json_text);
}

}  // namespace

std::shared_ptr<TranscriptWriter> TranscriptWriter::create(const std::string& path, error_code& ec,
                                                           Diagnostics& diag, TranscriptHeader header,
                                                           ExistingFile existing) {
  if (!detail::check_private_file_path(path, existing, ec, diag)) return nullptr;
  header.version = kTranscriptFormatVersion;
  return std::shared_ptr<TranscriptWriter>(new TranscriptWriter(path, std::move(header), existing));
}

TranscriptWriter::TranscriptWriter(std::string path, TranscriptHeader header, ExistingFile existing)
    : path_(std::move(path)),
      existing_(existing),
      header_(std::move(header)),
      wall_at_create_(WallClock::now()),
      steady_at_create_(Clock::now()) {}

TranscriptWriter::~TranscriptWriter() { close(); }

void TranscriptWriter::write_line(std::string line) {
  if (closed_ || ec_) return;
  if (!created_) {
    Diagnostics diag;
    fd_ = detail::create_private_file(path_, existing_, ec_, diag);
    if (fd_ < 0) {
      error_text_ = diag.what;
      return;
    }
    created_ = true;
  }
  line += '\n';
  if (!write_all(fd_, line)) {
    ec_ = error_code(errno, boost::system::system_category());
    error_text_ = "cannot write to '" + path_ + "': " + std::strerror(errno);
  }
}

void TranscriptWriter::write_header_if_needed(std::string_view first_json) {
  if (header_written_) return;
  header_written_ = true;
  if (header_.qemu_version.empty()) header_.qemu_version = qemu_version_of(first_json);
  write_line(format_header_line(header_));
}

void TranscriptWriter::on_message(Direction direction, std::uint64_t seq, Clock::time_point time,
                                  std::string_view json) {
  record(direction, seq, time, json, std::nullopt);
}

void TranscriptWriter::record(Direction direction, std::uint64_t seq, Clock::time_point time, std::string_view json,
                              std::optional<std::uint64_t> client) {
  if (!origin_) {
    origin_ = time;
    if (!header_.started) {
      header_.started = wall_at_create_ + std::chrono::duration_cast<WallClock::duration>(time - steady_at_create_);
    }
  }
  TranscriptEntry e;
  e.seq = seq;
  e.direction = direction;
  e.time = std::max(std::chrono::microseconds(0),
                    std::chrono::duration_cast<std::chrono::microseconds>(time - *origin_));
  e.json = std::string(json);
  e.client = client;
  append(e);
}

void TranscriptWriter::append(const TranscriptEntry& entry) {
  write_header_if_needed(entry.json);
  TranscriptEntry safe = entry;
  if (!safe.raw) safe.json = redacted(entry.json);
  write_line(format_entry_line(safe));
  if (!ec_) ++written_;
}

error_code TranscriptWriter::close() {
  closed_ = true;
  if (fd_ >= 0) {
    if (::close(fd_) != 0 && !ec_) {
      ec_ = error_code(errno, boost::system::system_category());
      error_text_ = "cannot close '" + path_ + "': " + std::strerror(errno);
    }
    fd_ = -1;
  }
  return ec_;
}

std::string format_transcript(const Transcript& transcript) {
  std::string out = format_header_line(transcript.header) + "\n";
  for (const auto& e : transcript.entries) {
    TranscriptEntry safe = e;
    if (!safe.raw) safe.json = redacted(e.json);
    out += format_entry_line(safe);
    out += '\n';
  }
  return out;
}

bool write_transcript_file(const std::string& path, const Transcript& transcript, error_code& ec,
                           Diagnostics& diag, ExistingFile existing) {
  const int fd = detail::create_private_file(path, existing, ec, diag);
  if (fd < 0) return false;
  const bool ok = write_all(fd, format_transcript(transcript));
  const int saved = errno;
  if (::close(fd) != 0 || !ok) {
    ec = error_code(ok ? errno : saved, boost::system::system_category());
    diag.what = "cannot write '" + path + "': " + std::strerror(ok ? errno : saved);
    return false;
  }
  return true;
}

}  // namespace qmp
