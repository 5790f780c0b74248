#include "qmp/transcript.hpp"

#include "qmp/codec.hpp"
#include "qmp/transcript_error.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace qmp {
namespace {

bool is_single_line(std::string_view s) noexcept { return s.find_first_of("\r\n") == std::string_view::npos; }

bool fail(error_code& ec, Diagnostics& diag, transcript_errc e, std::string what) {
  ec = e;
  diag = Diagnostics{};
  diag.what = std::move(what);
  return false;
}

template <typename Int>
bool parse_digits(std::string_view s, Int& out) noexcept {
  if (s.empty()) return false;
  const auto [p, e] = std::from_chars(s.data(), s.data() + s.size(), out);
  return e == std::errc{} && p == s.data() + s.size();
}

// The JSON text of a value that was not what was expected, shortened for an error message.
std::string seen(const json::Value& v) {
  std::string text = json::to_string(v);
  constexpr std::size_t kWidth = 60;
  if (text.size() > kWidth) text = text.substr(0, kWidth) + "...";
  return text;
}

// `entry member "dir" is "sideways", expected "to-qemu" or "from-qemu"`, or, when the member is absent,
// `entry lacks "dir" (expected "to-qemu" or "from-qemu")`.
std::string member_error(const json::Value& doc, const char* owner, const char* name, const std::string& expected) {
  const json::Value* v = json::find(doc, name);
  if (!v) return std::string(owner) + " lacks \"" + name + "\" (expected " + expected + ")";
  return std::string(owner) + " member \"" + name + "\" is " + seen(*v) + ", expected " + expected;
}

// The line as a JSON object, or nullopt with transcript_errc::not_json and what the line held.
std::optional<json::Document> parse_line(std::string_view line, const char* owner, error_code& ec,
                                         Diagnostics& diag) {
  std::string error;
  auto doc = json::parse_object(line, &error);
  if (doc) return doc;
  // Valid JSON of another kind: say what it is (the parser's message says only that an object was expected).
  if (!json::check_syntax(line)) error = "it is " + excerpt(line, 0);
  fail(ec, diag, transcript_errc::not_json, std::string(owner) + " is not a JSON object: " + error);
  return std::nullopt;
}

}  // namespace

const char* to_string(Direction d) noexcept { return d == Direction::to_qemu ? "to-qemu" : "from-qemu"; }

std::optional<Direction> direction_from_string(std::string_view s) noexcept {
  if (s == "to-qemu") return Direction::to_qemu;
  if (s == "from-qemu") return Direction::from_qemu;
  return std::nullopt;
}

std::string format_wall_time(WallClock::time_point t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::optional<WallClock::time_point> parse_wall_time(std::string_view s, std::string* why) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  const auto bad_form = [&]() -> std::optional<WallClock::time_point> {
    if (why) *why = "not of the form YYYY-MM-DDTHH:MM:SS[.ffffff]Z";
    return std::nullopt;
  };
  if (s.size() < 20 || s.back() != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':') {
    return bad_form();
  }
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (!parse_digits(s.substr(0, 4), year) || !parse_digits(s.substr(5, 2), mon) ||
      !parse_digits(s.substr(8, 2), day) || !parse_digits(s.substr(11, 2), hour) ||
      !parse_digits(s.substr(14, 2), min) || !parse_digits(s.substr(17, 2), sec)) {
    return bad_form();
  }
  std::int64_t micros = 0;
  std::string_view rest = s.substr(19, s.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return bad_form();
    std::string_view digits = rest.substr(1);
    std::int64_t v = 0;
    if (!parse_digits(digits, v)) return bad_form();
    for (std::size_t i = digits.size(); i < 6; ++i) v *= 10;
    for (std::size_t i = 6; i < digits.size(); ++i) v /= 10;
    micros = v;
  }
  const auto t = utc_time_point(year, mon, day, hour, min, sec, why);
  if (!t) return std::nullopt;
  return *t + std::chrono::duration_cast<WallClock::duration>(std::chrono::microseconds(micros));
}

std::optional<WallClock::time_point> utc_time_point(int year, int month, int day, int hour, int minute, int second,
                                                    std::string* why) {
  namespace chr = std::chrono;
  const auto fail = [&](std::string what) -> std::optional<WallClock::time_point> {
    if (why) *why = std::move(what);
    return std::nullopt;
  };
  const auto out_of = [](const char* field, int v, int lo, int hi) {
    return std::string(field) + " " + std::to_string(v) + " is not " + std::to_string(lo) + " to " + std::to_string(hi);
  };
  if (year < kMinWallYear || year > kMaxWallYear) return fail(out_of("year", year, kMinWallYear, kMaxWallYear));
  if (month < 1 || month > 12) return fail(out_of("month", month, 1, 12));
  const chr::year_month_day date{chr::year(year), chr::month(static_cast<unsigned>(month)),
                                 chr::day(static_cast<unsigned>(std::max(day, 0)))};
  if (!date.ok()) {
    const auto last = static_cast<unsigned>(chr::year_month_day_last(date.year(), chr::month_day_last(date.month())).day());
    char ym[16];
    std::snprintf(ym, sizeof ym, "%04d-%02d", year, month);
    return fail(out_of("day", day, 1, static_cast<int>(last)) + " (in " + ym + ")");
  }
  if (hour < 0 || hour > 23) return fail(out_of("hour", hour, 0, 23));
  if (minute < 0 || minute > 59) return fail(out_of("minute", minute, 0, 59));
  if (second < 0 || second > 60) return fail(out_of("second", second, 0, 60));
  const chr::sys_seconds t = chr::sys_days(date) + chr::hours(hour) + chr::minutes(minute) + chr::seconds(second);
  return chr::time_point_cast<WallClock::duration>(t);
}

std::string format_header_line(const TranscriptHeader& h) {
  std::string out = "{\"qmp-transcript\":" + std::to_string(h.version) + ",\"source\":";
  json::append_quoted(out, h.source);
  out += ",\"qemu\":";
  if (h.qemu_version.empty()) {
    out += "null";
  } else {
    json::append_quoted(out, h.qemu_version);
  }
  if (h.started) {
    out += ",\"started\":";
    json::append_quoted(out, format_wall_time(*h.started));
  }
  if (!h.monitor.empty()) {
    out += ",\"monitor\":";
    json::append_quoted(out, h.monitor);
  }
  if (!h.origin.empty()) {
    out += ",\"origin\":";
    json::append_quoted(out, h.origin);
  }
  out += '}';
  return out;
}

std::size_t json_nesting_depth(std::string_view text) noexcept {
  std::size_t depth = 0, deepest = 0;
  JsonStringScanner strings;
  for (const char c : text) {
    if (strings.in_string(c)) continue;
    if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::string format_entry_line(const TranscriptEntry& e) {
  std::string out = "{\"seq\":" + std::to_string(e.seq) + ",\"t_us\":" + std::to_string(e.time.count()) +
                    ",\"dir\":\"" + to_string(e.direction) + "\",";
  if (e.client) out += "\"client\":" + std::to_string(*e.client) + ",";
  // The entry's object is one level more than its message.
  if (!e.raw && json_nesting_depth(e.json) < json::kMaxDepth) {
    std::string error;
    if (auto doc = json::parse_object(e.json, &error)) {
      out += "\"msg\":";
      // Keep the text as recorded (QEMU's spacing) when it fits on one line; otherwise make it compact.
      out += is_single_line(e.json) ? e.json : json::to_string(*doc);
      out += '}';
      return out;
    }
  }
  out += "\"raw\":";
  json::append_quoted(out, e.json);
  out += '}';
  return out;
}

std::optional<TranscriptHeader> parse_header_line(std::string_view line, error_code& ec, Diagnostics& diag) {
  const auto bad = [&](std::string what) -> std::optional<TranscriptHeader> {
    fail(ec, diag, transcript_errc::bad_header, std::move(what));
    return std::nullopt;
  };
  auto doc = parse_line(line, "header", ec, diag);
  if (!doc) return std::nullopt;
  const json::Value* v = json::find(*doc, "qmp-transcript");
  if (!v) return bad("the first line is not a transcript header (no \"qmp-transcript\"): " + seen(*doc));
  if (!v->IsInt() || v->GetInt() < 1) return bad(member_error(*doc, "header", "qmp-transcript", "a positive integer"));
  TranscriptHeader h;
  h.version = v->GetInt();
  if (h.version > kTranscriptFormatVersion) {
    fail(ec, diag, transcript_errc::unsupported_version,
         "format version " + std::to_string(h.version) + " is newer than this reader (" +
             std::to_string(kTranscriptFormatVersion) + ")");
    return std::nullopt;
  }
  const auto source = json::get_string(*doc, "source");
  if (!source) return bad(member_error(*doc, "header", "source", "a string"));
  h.source = *source;
  if (const json::Value* q = json::find(*doc, "qemu"); q && !q->IsNull()) {
    if (!q->IsString()) return bad(member_error(*doc, "header", "qemu", "a string or null"));
    h.qemu_version = json::view(*q);
  }
  if (const json::Value* started = json::find(*doc, "started")) {
    std::string why = "not a string";
    const auto t = started->IsString() ? parse_wall_time(json::view(*started), &why) : std::nullopt;
    if (!t) {
      return bad("header member \"started\" is " + seen(*started) + ": " + why +
                 " (expected a UTC time like \"2026-11-25T17:05:26.222000Z\")");
    }
    h.started = *t;
  }
  h.monitor = json::get_string(*doc, "monitor").value_or("");
  h.origin = json::get_string(*doc, "origin").value_or("");
  return h;
}

std::optional<TranscriptEntry> parse_entry_line(std::string_view line, error_code& ec, Diagnostics& diag) {
  const auto bad = [&](std::string what) -> std::optional<TranscriptEntry> {
    fail(ec, diag, transcript_errc::bad_entry, std::move(what));
    return std::nullopt;
  };
  auto doc = parse_line(line, "entry", ec, diag);
  if (!doc) return std::nullopt;
  TranscriptEntry e;
  const auto seq = json::get_uint(*doc, "seq");
  if (!seq) return bad(member_error(*doc, "entry", "seq", "an unsigned integer"));
  e.seq = *seq;
  const auto t = json::get_uint(*doc, "t_us");
  if (!t || *t > static_cast<std::uint64_t>(kMaxTranscriptTime.count())) {
    return bad(member_error(*doc, "entry", "t_us",
                            "microseconds from 0 to " + std::to_string(kMaxTranscriptTime.count())));
  }
  e.time = std::chrono::microseconds(static_cast<std::int64_t>(*t));
  const auto dir_text = json::get_string(*doc, "dir");
  const auto dir = dir_text ? direction_from_string(*dir_text) : std::nullopt;
  if (!dir) return bad(member_error(*doc, "entry", "dir", "\"to-qemu\" or \"from-qemu\""));
  e.direction = *dir;
  if (json::find(*doc, "client")) {
    const auto client = json::get_uint(*doc, "client");
    if (!client) return bad(member_error(*doc, "entry", "client", "a proxy's client number (an integer, 0 or more)"));
    e.client = *client;
  }
  const json::Value* m = json::find(*doc, "msg");
  const json::Value* raw = json::find(*doc, "raw");
  if (m) {
    if (!m->IsObject()) return bad(member_error(*doc, "entry", "msg", "a JSON object"));
    e.json = json::to_string(*m);
  } else if (raw) {
    if (!raw->IsString()) return bad(member_error(*doc, "entry", "raw", "a string"));
    e.json = json::view(*raw);
    e.raw = true;
  } else {
    return bad("entry has neither \"msg\" (an object) nor \"raw\" (a string): " + seen(*doc));
  }
  return e;
}

std::optional<Message> TranscriptEntry::to_message() const {
  if (raw) return std::nullopt;
  auto decoded = decode_line(json, seq, Clock::time_point(std::chrono::duration_cast<Clock::duration>(time)),
                             direction == Direction::to_qemu);
  return std::move(decoded.message);
}

}  // namespace qmp
