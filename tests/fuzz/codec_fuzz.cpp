// Bytes from the monitor socket: LineFramer (fed in chunks of varying size), decode_line, every Message accessor,
// and qmp::redact on each line.
//
// Input: a settings byte (bits 0-2: the maximum line, 3: whether commands are accepted, 4-7: the read size), then
// the byte stream.
// Properties: the framer gives the same lines as a plain split at '\n' whatever the chunking, never a line longer
// than the maximum, and never buffers more than the maximum plus one '\r'; a decoded message re-encodes to text that
// decodes to the same kind; redaction changes only text that may_hold_secret() flags and leaves no secret in clear;
// an encoded command decodes back to its name; a name scan_event_name reads is the event name the decoder finds.
#include "fuzz_check.hpp"
#include "secret_check.hpp"

#include <qmp/codec.hpp>
#include <qmp/event_name_scan.hpp>
#include <qmp/line_framer.hpp>
#include <qmp/redact.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

// What a plain split gives: the lines (without "\n" and one "\r" before it, empty ones skipped) up to the first
// one longer than `max_line`, and whether that one exists (a final partial line counts, without its trailing '\r').
struct Expected {
  std::vector<std::string_view> lines;
  bool too_large = false;
};

Expected split(std::string_view s, std::size_t max_line) {
  Expected e;
  while (!s.empty()) {
    const std::size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line) {
      e.too_large = true;
      return e;
    }
    if (nl == std::string_view::npos) return e;
    if (!line.empty()) e.lines.push_back(line);
    s.remove_prefix(nl + 1);
  }
  return e;
}

void exercise(const qmp::Message& m, bool accept_commands) {
  (void)m.event_name();
  (void)m.data();
  (void)m.result();
  (void)m.numeric_id();
  (void)m.id();
  (void)m.timestamp_us();
  (void)m.error_class();
  (void)m.error_desc();
  (void)m.command_name();
  (void)qmp::to_string(m.kind());
  const std::string text = m.text();
  const qmp::Decoded again = qmp::decode_line(text, m.seq(), m.time(), accept_commands);
  QMPC_FUZZ_CHECK(again.message, "a decoded message's text does not decode: " + text);
  QMPC_FUZZ_CHECK(again.message->kind() == m.kind(), "a decoded message's text decodes to another kind: " + text);
}

void check_redaction(std::string_view line) {
  const std::string out = qmp::redact(line);
  if (out != line) QMPC_FUZZ_CHECK(qmp::may_hold_secret(line), "redact changed text may_hold_secret() passes");
  const std::string left = qmpc_fuzz::secret_in_clear(out);
  QMPC_FUZZ_CHECK(left.empty(), left + " by redact: " + out);
}

void check_line(std::string_view line, std::uint64_t seq, bool accept_commands) {
  const qmp::Decoded d = qmp::decode_line(line, seq, qmp::Clock::time_point{}, accept_commands);
  QMPC_FUZZ_CHECK(d.message.has_value() != d.error.has_value(), "decode_line gave neither or both");
  if (d.message) exercise(*d.message, accept_commands);
  if (d.error) QMPC_FUZZ_CHECK(d.error->offset <= line.size(), "error offset past the line: " + d.error->what);
  // The session drops an event nobody wants by the name this scan reads: it must be the decoder's name.
  if (const auto name = qmp::scan_event_name(line); name && d.message) {
    QMPC_FUZZ_CHECK(d.message->kind() == qmp::MessageKind::event && d.message->event_name() == *name,
                    "scan_event_name read '" + std::string(*name) + "', the decoder a " +
                        std::string(qmp::to_string(d.message->kind())) + " named '" +
                        std::string(d.message->event_name()) + "': " + std::string(line));
  }
  check_redaction(line);
}

void check_encoding(std::string_view name) {
  const std::string bytes = qmp::encode_command(name, "", 7);
  QMPC_FUZZ_CHECK(!bytes.empty() && bytes.back() == '\n' && bytes.find('\n') == bytes.size() - 1,
                  "an encoded command is not one line: " + bytes);
  const qmp::Decoded d = qmp::decode_line(std::string_view(bytes).substr(0, bytes.size() - 1), 1, {}, true);
  QMPC_FUZZ_CHECK(d.message && d.message->command_name() == name && d.message->numeric_id() == 7u,
                  "an encoded command does not decode to its name and id: " + bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::size_t kMaxLines[] = {1, 16, 100, 1000, 10 * 1024 * 1024, 2, 40, 300};
  static constexpr std::size_t kReads[] = {1, 2, 3, 4, 5, 7, 64, 13, 16, 31, 100, 127, 128, 255, 256, 4096};
  const std::size_t max_line = kMaxLines[data[0] & 7];
  const bool accept_commands = (data[0] & 8) != 0;
  const std::size_t chunk = kReads[data[0] >> 4];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

  const Expected expected = split(stream, max_line);
  qmp::LineFramer framer(max_line);
  std::size_t got = 0;
  bool too_large = false;
  for (std::size_t pos = 0; pos < stream.size() && !too_large; pos += chunk) {
    framer.feed(stream.substr(pos, chunk));
    std::string_view line;
    for (;;) {
      const auto st = framer.next(line);
      if (st == qmp::LineFramer::Status::too_large) {
        too_large = true;
        break;
      }
      if (st == qmp::LineFramer::Status::need_more) {
        QMPC_FUZZ_CHECK(framer.pending_bytes() <= max_line + 1, "the framer buffers more than one line");
        break;
      }
      QMPC_FUZZ_CHECK(got < expected.lines.size() && line == expected.lines[got],
                      "the framer's line " + std::to_string(got) + " differs from a plain split");
      ++got;
      check_line(line, got, accept_commands);
    }
  }
  QMPC_FUZZ_CHECK(got == expected.lines.size() && too_large == expected.too_large,
                  "the framer gave " + std::to_string(got) + " lines, a plain split " +
                      std::to_string(expected.lines.size()));
  QMPC_FUZZ_CHECK(framer.consumed() <= stream.size(), "the framer consumed more than it was fed");
  check_encoding(stream.substr(0, 64));
  return 0;
}
