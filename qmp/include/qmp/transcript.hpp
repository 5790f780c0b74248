// The transcript format: a recording of the QMP traffic of one monitor, as JSON lines (docs/transcript-format.md).
//
//   {"qmp-transcript":1,"source":"qmpc","qemu":"7.2.22","started":"2026-11-25T17:05:26.222000Z"}
//   {"seq":1,"t_us":0,"dir":"from-qemu","msg":{"QMP":{...}}}
//   {"seq":2,"t_us":412,"dir":"to-qemu","msg":{"execute":"qmp_capabilities","id":1}}
//
// This header holds the in-memory form and the conversion of one line to and from text. No I/O.
#pragma once

#include "qmp/error.hpp"
#include "qmp/message.hpp"
#include "qmp/traffic_observer.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmp {

// The version written by this library. A reader accepts every version up to this one.
inline constexpr int kTranscriptFormatVersion = 1;
// Well-known values of TranscriptHeader::source.
inline constexpr std::string_view kSourceQmpc = "qmpc";
inline constexpr std::string_view kSourceLibvirtLog = "libvirt-log";

using WallClock = std::chrono::system_clock;

struct TranscriptHeader {
  int version = kTranscriptFormatVersion;
  std::string source{kSourceQmpc};           // who recorded it: "qmpc" (live) or "libvirt-log" (imported)
  std::string qemu_version;                  // "7.2.22" from the greeting; empty when unknown
  std::optional<WallClock::time_point> started;  // wall-clock time of t_us == 0, when known
  std::string monitor;                       // libvirt imports: the monitor pointer ("0x7fa1f0006740")
  std::string origin;                        // free text: socket address, or the imported log's file name
};

struct TranscriptEntry {
  std::uint64_t seq = 0;                  // wire order; one counter for both directions
  Direction direction = Direction::from_qemu;
  std::chrono::microseconds time{0};      // monotonic, since the start of the recording
  std::string json;                       // the message, one line of JSON text (verbatim when recorded so)
  bool raw = false;                       // true when `json` is not a JSON object (bytes that were not QMP)
  // A recording of `qmpc proxy`: the proxy's number of the client a command came from or a reply went to; none
  // for what concerns no one client (the greeting, events, the proxy's own qmp_capabilities) and in recordings of
  // one client.
  std::optional<std::uint64_t> client;

  // The message parsed and classified (commands too); nullopt for raw entries or text that is not QMP.
  std::optional<Message> to_message() const;
};

struct Transcript {
  TranscriptHeader header;
  std::vector<TranscriptEntry> entries;
  // Reading: the file ended in an incomplete line (a recording cut short while writing it), which was dropped.
  bool truncated = false;
};

const char* to_string(Direction d) noexcept;  // "to-qemu", "from-qemu"
std::optional<Direction> direction_from_string(std::string_view s) noexcept;

// Wall-clock times read from files (a header's "started", libvirt log timestamps) must fall in these years.
// WallClock counts nanoseconds in 64 bits (years 1678 to 2262); within this range any two times, and their
// difference, are representable.
inline constexpr int kMinWallYear = 1970;
inline constexpr int kMaxWallYear = 2200;
// The largest t_us a reader accepts: what the steady clock (nanoseconds in 64 bits) can hold, about 292 years.
inline constexpr std::chrono::microseconds kMaxTranscriptTime =
    std::chrono::duration_cast<std::chrono::microseconds>(Clock::duration::max());

// "2026-11-25T17:05:26.222000Z" (UTC, microseconds), and back. On failure `why` (when given) says what was wrong
// ("month 13 is not 1 to 12").
std::string format_wall_time(WallClock::time_point t);
std::optional<WallClock::time_point> parse_wall_time(std::string_view s, std::string* why = nullptr);
// The UTC instant of a calendar date and time of day (second 60: a leap second, the next minute's first). Nullopt,
// with `why` set when given, for a date or time that does not exist or a year outside kMinWallYear..kMaxWallYear.
std::optional<WallClock::time_point> utc_time_point(int year, int month, int day, int hour, int minute, int second,
                                                    std::string* why = nullptr);

// Follows JSON text a byte at a time and tells which bytes belong to a string literal (its quotes included), so
// that scanners counting brackets can skip those in strings.
class JsonStringScanner {
 public:
  bool in_string(char c) noexcept {
    if (in_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_ = false;
      }
      return true;
    }
    in_ = c == '"';
    return in_;
  }
  void reset() noexcept { in_ = escape_ = false; }

 private:
  bool in_ = false;
  bool escape_ = false;
};

// The deepest nesting of arrays and objects in JSON text (brackets inside strings not counted; 0 for a scalar),
// found in one pass without recursion: how deep a parse would have to go (see json::kMaxDepth).
std::size_t json_nesting_depth(std::string_view text) noexcept;

// One line of text, without its newline. An entry whose message would nest deeper than json::kMaxDepth inside the
// entry's own object (the message itself nests kMaxDepth levels) is written as `raw`, so that it reads back.
std::string format_header_line(const TranscriptHeader& h);
std::string format_entry_line(const TranscriptEntry& e);

// Parse one line. On failure return nullopt and set `ec` (transcript_errc) and `diag.what` (what was wrong, without
// the line number: the caller knows it).
std::optional<TranscriptHeader> parse_header_line(std::string_view line, error_code& ec, Diagnostics& diag);
std::optional<TranscriptEntry> parse_entry_line(std::string_view line, error_code& ec, Diagnostics& diag);

}  // namespace qmp
