// Reads a libvirt debug log into records: one per log entry (a line starting with a timestamp, plus the lines that
// continue it, as when a logged buffer holds "\r\n"). Only what an import of QMP traffic needs is kept. No I/O.
//
//   2026-11-25 17:05:26.222+0000: 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7fa1f0006740 msg={..}
//    fd=-1
#pragma once

#include "qmp/error.hpp"
#include "qmp/transcript.hpp"
#include "qmp/transcript_lines.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trace {

enum class LibvirtLineKind : std::uint8_t {
  send_msg,      // QEMU_MONITOR_SEND_MSG: mon=.. msg={..}       (queued by an API thread)
  io_write,      // QEMU_MONITOR_IO_WRITE: mon=.. buf={..} len=.. ret=.. errno=..   (written by the I/O thread)
  process_line,  // qemuMonitorJSONIOProcessLine: Line [{..}]   (every line read, greeting included; no mon=)
  recv_reply,    // QEMU_MONITOR_RECV_REPLY: mon=.. reply={..}
  recv_event,    // QEMU_MONITOR_RECV_EVENT: mon=.. event={..}
  io_process,    // QEMU_MONITOR_IO_PROCESS: mon=.. buf=.. len=..  (older libvirt: raw bytes read, any chunking)
  other,         // any other entry (kept only when it names a monitor, to tie threads to monitors)
};

const char* to_string(LibvirtLineKind k) noexcept;

struct LibvirtRecord {
  std::size_t line_no = 0;  // first physical line, 1-based
  qmp::WallClock::time_point time;
  std::uint64_t thread = 0;
  LibvirtLineKind kind = LibvirtLineKind::other;
  std::string monitor;  // "0x7fa1f0006740"; empty when the entry names none
  std::string payload;  // the logged message text(s), the entry's trailing fields (fd=, len=, ...) removed
  // io_write: len= and ret= (bytes written; -1 when none). Only their comparison is trusted: logs seen in the wild
  // do not always have len equal to the logged buffer's size.
  std::optional<std::int64_t> length, written;

  bool short_write() const noexcept { return length && written && *written < *length; }
};

// Parses "2026-11-25 17:05:26.222+0000" (libvirt's timestamp: local time and its zone offset) to UTC. Nullopt,
// with `why` set when given, for text of another form or a time that does not exist (see qmp::utc_time_point).
std::optional<qmp::WallClock::time_point> parse_libvirt_time(std::string_view s, std::string* why = nullptr);

// Physical lines in, in order; records out, in log order. Lines before the first timestamped one are skipped.
class LibvirtLogParser {
 public:
  // An entry (its first line and the lines continuing it) longer than `max_entry_bytes` is an error.
  explicit LibvirtLogParser(std::size_t max_entry_bytes = qmp::kDefaultMaxLineBytes) : max_entry_(max_entry_bytes) {}

  // False with `ec` and `diag.what` ("line 7: ...") for a line that starts with a timestamp naming no real time
  // (transcript_errc::bad_log) or that makes its entry longer than the limit (transcript_errc::line_too_long); the
  // parser then refuses further lines.
  bool feed_line(std::string_view line, qmp::error_code& ec, qmp::Diagnostics& diag);
  // Ends the last entry. The records are then complete.
  void finish();
  std::vector<LibvirtRecord>& records() noexcept { return records_; }

 private:
  void flush();
  std::size_t max_entry_;
  std::vector<LibvirtRecord> records_;
  std::string entry_;          // the entry being read: its first line and its continuations
  std::size_t entry_line_ = 0; // its first line's number; 0: none
  std::size_t line_no_ = 0;
  bool failed_ = false;
};

// The records of a whole log, or nullopt with `ec`/`diag` set as LibvirtLogParser::feed_line does (a line longer
// than the limit fails likewise, see qmp/transcript_lines.hpp).
std::optional<std::vector<LibvirtRecord>> parse_libvirt_log(std::string_view text, qmp::error_code& ec,
                                                            qmp::Diagnostics& diag,
                                                            std::size_t max_line_bytes = qmp::kDefaultMaxLineBytes);

}  // namespace trace
