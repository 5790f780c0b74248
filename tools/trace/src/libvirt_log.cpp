#include "trace/libvirt_log.hpp"

#include "qmp/transcript_error.hpp"

#include <cctype>
#include <charconv>
#include <initializer_list>

namespace trace {
namespace {

template <typename Int>
bool digits(std::string_view s, Int& out) noexcept {
  if (s.empty()) return false;
  const auto [p, e] = std::from_chars(s.data(), s.data() + s.size(), out);
  return e == std::errc{} && p == s.data() + s.size();
}

constexpr std::size_t kTimestampLength = 28;  // "2026-11-25 17:05:26.222+0000"

std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits off a trailer " key=value key=value..." whose keys are `keys` in order and whose values are integers.
// Returns the text before it (and the values), or nullopt when `s` does not end so.
std::optional<std::string_view> strip_trailer(std::string_view s, std::initializer_list<std::string_view> keys,
                                              std::vector<std::int64_t>& values) {
  s = trim_right(s);
  const std::string first = std::string(" ") + std::string(*keys.begin()) + "=";
  const std::size_t at = s.rfind(first);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = s.substr(at + 1);
  values.clear();
  for (const std::string_view key : keys) {
    if (rest.substr(0, key.size()) != key || rest.size() <= key.size() || rest[key.size()] != '=') {
      return std::nullopt;
    }
    rest.remove_prefix(key.size() + 1);
    const std::size_t end = std::min(rest.find(' '), rest.size());
    std::int64_t v = 0;
    if (!digits(rest.substr(0, end), v)) return std::nullopt;
    values.push_back(v);
    rest.remove_prefix(end);
    if (!rest.empty()) rest.remove_prefix(1);
  }
  if (!rest.empty()) return std::nullopt;
  // Exactly the logged buffer (which usually ends in "\r\n", so the trailer starts a physical line of its own).
  return s.substr(0, at);
}

// "mon=0x7f.." or "mon:0x7f.." anywhere in `s`.
std::string find_monitor(std::string_view s) {
  for (const std::string_view key : {std::string_view("mon=0x"), std::string_view("mon:0x")}) {
    const std::size_t at = s.find(key);
    if (at == std::string_view::npos) continue;
    std::size_t end = at + key.size();
    while (end < s.size() && std::isxdigit(static_cast<unsigned char>(s[end]))) ++end;
    return std::string(s.substr(at + 4, end - at - 4));
  }
  return {};
}

struct Probe {
  std::string_view name;
  LibvirtLineKind kind;
  std::string_view field;
};

constexpr Probe kProbes[] = {
    {"QEMU_MONITOR_SEND_MSG: ", LibvirtLineKind::send_msg, " msg="},
    {"QEMU_MONITOR_IO_WRITE: ", LibvirtLineKind::io_write, " buf="},
    {"QEMU_MONITOR_RECV_REPLY: ", LibvirtLineKind::recv_reply, " reply="},
    {"QEMU_MONITOR_RECV_EVENT: ", LibvirtLineKind::recv_event, " event="},
    {"QEMU_MONITOR_IO_PROCESS: ", LibvirtLineKind::io_process, " buf="},
};

// Fills kind, monitor and payload from the entry's message text (everything after "FUNC:LINE : ").
void classify(std::string_view message, LibvirtRecord& r) {
  for (const Probe& p : kProbes) {
    if (message.substr(0, p.name.size()) != p.name) continue;
    const std::size_t field = message.find(p.field);
    if (field == std::string_view::npos) break;
    std::string_view payload = message.substr(field + p.field.size());
    std::vector<std::int64_t> values;
    switch (p.kind) {
      case LibvirtLineKind::send_msg:
        payload = strip_trailer(payload, {"fd"}, values).value_or(trim_right(payload));
        break;
      case LibvirtLineKind::io_write:
        if (auto s = strip_trailer(payload, {"len", "ret", "errno"}, values)) {
          payload = *s;
          r.length = values[0];
          r.written = values[1];
        }
        break;
      case LibvirtLineKind::io_process:
        payload = strip_trailer(payload, {"len"}, values).value_or(trim_right(payload));
        break;
      default:
        payload = trim_right(payload);
        break;
    }
    r.kind = p.kind;
    r.monitor = find_monitor(message.substr(0, field + 1));
    r.payload = std::string(payload);
    return;
  }
  if (message.substr(0, 6) == "Line [") {
    std::string_view payload = trim_right(message.substr(6));
    if (!payload.empty() && payload.back() == ']') payload.remove_suffix(1);
    r.kind = LibvirtLineKind::process_line;
    r.payload = std::string(payload);
    return;
  }
  r.kind = LibvirtLineKind::other;
  r.monitor = find_monitor(message);
}

// Parses one entry: "<time>: <thread>: <level> : <function>:<line> : <message>".
std::optional<LibvirtRecord> parse_entry(std::string_view text, std::size_t line_no) {
  if (text.size() < kTimestampLength + 2) return std::nullopt;
  const auto time = parse_libvirt_time(text.substr(0, kTimestampLength));
  if (!time || text.substr(kTimestampLength, 2) != ": ") return std::nullopt;
  std::string_view rest = text.substr(kTimestampLength + 2);
  const std::size_t colon = rest.find(": ");
  LibvirtRecord r;
  r.line_no = line_no;
  r.time = *time;
  if (colon == std::string_view::npos || !digits(rest.substr(0, colon), r.thread)) return std::nullopt;
  rest.remove_prefix(colon + 2);
  // level, then function:line, each followed by " : ".
  for (int i = 0; i < 2; ++i) {
    const std::size_t sep = rest.find(" : ");
    if (sep == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(sep + 3);
  }
  classify(rest, r);
  return r;
}

bool starts_with_timestamp(std::string_view line) noexcept {
  return line.size() >= kTimestampLength + 1 && line[4] == '-' && line[7] == '-' && line[10] == ' ' &&
         line[13] == ':' && line[16] == ':' && line[19] == '.' && line[kTimestampLength] == ':' &&
         std::isdigit(static_cast<unsigned char>(line[0]));
}

}  // namespace

const char* to_string(LibvirtLineKind k) noexcept {
  switch (k) {
    case LibvirtLineKind::send_msg: return "QEMU_MONITOR_SEND_MSG";
    case LibvirtLineKind::io_write: return "QEMU_MONITOR_IO_WRITE";
    case LibvirtLineKind::process_line: return "qemuMonitorJSONIOProcessLine";
    case LibvirtLineKind::recv_reply: return "QEMU_MONITOR_RECV_REPLY";
    case LibvirtLineKind::recv_event: return "QEMU_MONITOR_RECV_EVENT";
    case LibvirtLineKind::io_process: return "QEMU_MONITOR_IO_PROCESS";
    case LibvirtLineKind::other: return "other";
  }
  return "?";
}

std::optional<qmp::WallClock::time_point> parse_libvirt_time(std::string_view s, std::string* why) {
  // 2026-11-25 17:05:26.222+0000
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0, ms = 0, zh = 0, zm = 0;
  if (s.size() != kTimestampLength || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
      s[19] != '.' || (s[23] != '+' && s[23] != '-') || !digits(s.substr(0, 4), year) ||
      !digits(s.substr(5, 2), mon) || !digits(s.substr(8, 2), day) || !digits(s.substr(11, 2), hour) ||
      !digits(s.substr(14, 2), min) || !digits(s.substr(17, 2), sec) || !digits(s.substr(20, 3), ms) ||
      !digits(s.substr(24, 2), zh) || !digits(s.substr(26, 2), zm)) {
    if (why) *why = "not of the form YYYY-MM-DD HH:MM:SS.mmm+ZZZZ";
    return std::nullopt;
  }
  if (zh > 23 || zm > 59) {
    if (why) *why = "zone offset " + std::string(s.substr(23)) + " is not -2359 to +2359";
    return std::nullopt;
  }
  const auto local = qmp::utc_time_point(year, mon, day, hour, min, sec, why);
  if (!local) return std::nullopt;
  const int zone_minutes = (s[23] == '+' ? 1 : -1) * (zh * 60 + zm);
  // The log shows local time with its zone offset: UTC is local time minus the offset.
  return *local + std::chrono::duration_cast<qmp::WallClock::duration>(std::chrono::milliseconds(ms) -
                                                                       std::chrono::minutes(zone_minutes));
}

void LibvirtLogParser::flush() {
  if (entry_line_ == 0) return;
  if (auto r = parse_entry(entry_, entry_line_)) {
    if (r->kind != LibvirtLineKind::other || !r->monitor.empty()) records_.push_back(std::move(*r));
  }
  entry_.clear();
  entry_line_ = 0;
}

bool LibvirtLogParser::feed_line(std::string_view line, qmp::error_code& ec, qmp::Diagnostics& diag) {
  ++line_no_;
  if (failed_) return false;
  if (starts_with_timestamp(line)) {
    std::string why;
    if (!parse_libvirt_time(line.substr(0, kTimestampLength), &why)) {
      failed_ = true;
      ec = qmp::transcript_errc::bad_log;
      diag.what = "line " + std::to_string(line_no_) + ": the timestamp '" +
                  std::string(line.substr(0, kTimestampLength)) + "' is no real time: " + why;
      return false;
    }
    flush();
    entry_line_ = line_no_;
  } else if (entry_line_ == 0) {
    return true;
  } else {
    entry_ += '\n';  // a continuation: the logged text held a newline here
  }
  if (entry_.size() + line.size() > max_entry_) {
    failed_ = true;
    ec = qmp::transcript_errc::line_too_long;
    diag.what = "line " + std::to_string(line_no_) + ": the log entry that starts on line " +
                std::to_string(entry_line_) + " is longer than the limit of " + std::to_string(max_entry_) + " bytes";
    return false;
  }
  entry_ += line;
  return true;
}

void LibvirtLogParser::finish() { flush(); }

std::optional<std::vector<LibvirtRecord>> parse_libvirt_log(std::string_view text, qmp::error_code& ec,
                                                            qmp::Diagnostics& diag, std::size_t max_line_bytes) {
  LibvirtLogParser parser(max_line_bytes);
  const auto feed = [&](const qmp::TextLine& line) { return parser.feed_line(line.text, ec, diag); };
  if (!qmp::for_each_line(text, max_line_bytes, feed, ec, diag)) return std::nullopt;
  parser.finish();
  return std::move(parser.records());
}

}  // namespace trace
