#include "trace/libvirt_import.hpp"

#include "qmp/codec.hpp"
#include "qmp/redact.hpp"
#include "qmp/transcript_error.hpp"
#include "trace/json_object_splitter.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>

namespace trace {
namespace {

using Kind = LibvirtLineKind;

struct RawMessage {
  qmp::WallClock::time_point time;
  std::size_t line_no;  // of the log entry it came from
  qmp::Direction direction;
  std::string text;
};

// Gives each "Line [..]" record the monitor of the next record of the same thread that names one.
void attribute_process_lines(std::vector<LibvirtRecord>& records) {
  std::map<std::uint64_t, std::string> next_monitor;  // by thread, scanning backwards
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (it->kind == Kind::process_line) {
      if (auto m = next_monitor.find(it->thread); m != next_monitor.end()) it->monitor = m->second;
    } else if (!it->monitor.empty() && it->kind != Kind::send_msg) {
      // SEND_MSG is logged by the API thread, not the monitor's I/O thread.
      next_monitor[it->thread] = it->monitor;
    }
  }
}

bool is_greeting(std::string_view text) { return text.find("\"QMP\"") != std::string_view::npos; }

std::string qemu_version_of(const qmp::TranscriptEntry& e) {
  auto msg = e.to_message();
  if (!msg || msg->kind() != qmp::MessageKind::greeting) return {};
  const qmp::json::Value* v = qmp::json::find(msg->json()["QMP"], "version");
  const qmp::json::Value* q = v ? qmp::json::find(*v, "qemu") : nullptr;
  if (!q) return {};
  return std::to_string(qmp::json::get_int(*q, "major").value_or(0)) + "." +
         std::to_string(qmp::json::get_int(*q, "minor").value_or(0)) + "." +
         std::to_string(qmp::json::get_int(*q, "micro").value_or(0));
}

std::string milliseconds(std::chrono::microseconds t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(t.count()) / 1000.0);
  return buf;
}

// Fills the transcript of one connection. t_us counts from the first message and never decreases: where the log's
// time goes back (its clock was set back, or threads logged out of order), a message keeps the time of the one
// before it, and a warning says so.
void fill_transcript(ImportedMonitor& part, std::vector<RawMessage>& messages, const LibvirtImportOptions& options) {
  qmp::Transcript& t = part.transcript;
  t.header.source = std::string(qmp::kSourceLibvirtLog);
  t.header.monitor = part.monitor;
  t.header.origin = options.origin;
  if (!messages.empty()) t.header.started = messages.front().time;
  std::uint64_t seq = 0;
  std::chrono::microseconds last{0}, worst{0};
  std::size_t backwards = 0, first_line = 0;
  for (RawMessage& m : messages) {
    qmp::TranscriptEntry e;
    e.seq = ++seq;
    e.direction = m.direction;
    e.time = std::chrono::duration_cast<std::chrono::microseconds>(m.time - *t.header.started);
    if (e.time < last) {
      if (backwards++ == 0) first_line = m.line_no;
      worst = std::max(worst, last - e.time);
      e.time = last;
    }
    last = e.time;
    e.json = qmp::may_hold_secret(m.text) ? qmp::redact(m.text) : std::move(m.text);
    if (t.header.qemu_version.empty() && is_greeting(e.json)) t.header.qemu_version = qemu_version_of(e);
    t.entries.push_back(std::move(e));
  }
  if (backwards > 0) {
    part.warnings.push_back("monitor " + part.monitor + ": the log's time goes back " + std::to_string(backwards) +
                            " time(s), by up to " + milliseconds(worst) + ", first at line " +
                            std::to_string(first_line) +
                            "; each such message was given the time of the message before it");
  }
}

// Builds the transcripts of one monitor (one per connection) from its records (in log order). Fails on a message
// nested deeper than json::kMaxDepth: no reader could parse it.
std::optional<std::vector<ImportedMonitor>> import_monitor(const std::string& monitor,
                                                           const std::vector<const LibvirtRecord*>& records,
                                                           const LibvirtImportOptions& options, qmp::error_code& ec,
                                                           qmp::Diagnostics& diag) {
  ImportedMonitor im;
  im.monitor = monitor;
  for (const LibvirtRecord* r : records) ++im.lines[static_cast<std::size_t>(r->kind)];

  im.to_qemu_source = im.count(Kind::io_write) > 0 ? Kind::io_write : Kind::send_msg;
  if (im.count(Kind::recv_reply) + im.count(Kind::recv_event) > 0) {
    im.from_qemu_source = Kind::recv_reply;
  } else if (im.count(Kind::io_process) > 0) {
    im.from_qemu_source = Kind::io_process;
  } else {
    im.from_qemu_source = Kind::process_line;
  }

  JsonObjectSplitter writes(options.max_line_bytes);  // IO_WRITE
  std::string unwritten;  // IO_WRITE: the buffer of a short write, waiting for the entry that finishes it
  std::size_t oversized_writes = 0;  // short writes whose buffer grew beyond the limit: dropped
  JsonObjectSplitter reads(options.max_line_bytes);  // IO_PROCESS: see below
  std::vector<RawMessage> messages;
  std::vector<std::string> objects;
  std::string too_deep;  // the first message nested too deeply, described
  const auto take = [&](const LibvirtRecord& r, qmp::Direction d) {
    for (auto& o : objects) {
      if (too_deep.empty() && qmp::json_nesting_depth(o) > qmp::json::kMaxDepth) {
        too_deep = "line " + std::to_string(r.line_no) + ": a message " +
                   (d == qmp::Direction::to_qemu ? "to" : "from") + " QEMU on monitor " + monitor +
                   " is nested deeper than " + std::to_string(qmp::json::kMaxDepth) + " levels (the limit): '" +
                   qmp::excerpt(o, 0) + "'";
      }
      messages.push_back({r.time, r.line_no, d, std::move(o)});
    }
    objects.clear();
  };

  for (const LibvirtRecord* rp : records) {
    const LibvirtRecord& r = *rp;
    switch (r.kind) {
      case Kind::send_msg:
      case Kind::io_write: {
        if (r.kind != im.to_qemu_source) break;
        if (r.kind == Kind::send_msg) {
          JsonObjectSplitter one;
          one.feed(r.payload, objects);
        } else {
          // After a short write (ret < len) libvirt logs the unwritten rest again with the next write: the
          // message is whole once that rest is written. Only what the first buffer holds beyond it is kept.
          std::string buf = r.payload;
          if (!unwritten.empty()) {
            if (unwritten.size() >= buf.size() && unwritten.compare(unwritten.size() - buf.size(), buf.size(), buf) == 0) {
              buf = unwritten;
            } else {
              buf = unwritten + buf;
            }
            unwritten.clear();
          }
          if (r.short_write()) {
            if (buf.size() <= options.max_line_bytes) {
              unwritten = std::move(buf);
            } else {
              ++oversized_writes;
            }
            break;
          }
          writes.feed(buf, objects);
        }
        take(r, qmp::Direction::to_qemu);
        break;
      }
      case Kind::recv_reply:
      case Kind::recv_event: {
        if (im.from_qemu_source != Kind::recv_reply) break;
        JsonObjectSplitter one;
        one.feed(r.payload, objects);
        take(r, qmp::Direction::from_qemu);
        break;
      }
      case Kind::process_line: {
        const bool wanted = im.from_qemu_source == Kind::process_line ||
                            (im.from_qemu_source == Kind::recv_reply && is_greeting(r.payload));
        if (!wanted) break;
        JsonObjectSplitter one;
        one.feed(r.payload, objects);
        take(r, qmp::Direction::from_qemu);
        break;
      }
      case Kind::io_process: {
        if (im.from_qemu_source != Kind::io_process) break;
        // libvirt logs its whole read buffer: bytes of an incomplete message stay at its start and are logged
        // again with the rest. A buffer that starts with the carried-over part repeats it; else it continues it.
        std::string_view buf = r.payload;
        const std::string& carried = reads.partial();
        if (reads.in_object() && buf.substr(0, carried.size()) == carried) reads.reset();
        // A greeting while a message was incomplete: that connection died mid-message; a new one starts.
        if (reads.in_object() && buf.substr(0, 7) == "{\"QMP\":") {
          im.warnings.push_back("monitor " + monitor + ": a message from QEMU was cut short by a new connection: '" +
                                reads.partial().substr(0, 60) + "'");
          reads.reset();
        }
        reads.feed(buf, objects);
        take(r, qmp::Direction::from_qemu);
        break;
      }
      case Kind::other: break;
    }
  }
  if (!too_deep.empty()) {
    ec = qmp::transcript_errc::bad_log;
    diag.what = std::move(too_deep);
    return std::nullopt;
  }
  if (!unwritten.empty()) {
    im.warnings.push_back("monitor " + monitor + ": a write to QEMU was left unfinished at the end of the log: '" +
                          unwritten.substr(0, 60) + "'");
  }
  if (writes.in_object()) {
    im.warnings.push_back("monitor " + monitor + ": a message to QEMU is incomplete at the end of the log: '" +
                          writes.partial().substr(0, 60) + "'");
  }
  if (reads.in_object()) {
    im.warnings.push_back("monitor " + monitor + ": a message from QEMU is incomplete at the end of the log: '" +
                          reads.partial().substr(0, 60) + "'");
  }
  if (const std::size_t n = writes.oversized() + reads.oversized() + oversized_writes; n > 0) {
    im.warnings.push_back("monitor " + monitor + ": " + std::to_string(n) +
                          " messages longer than the limit of " + std::to_string(options.max_line_bytes) +
                          " bytes were skipped");
  }
  if (writes.junk_bytes() + reads.junk_bytes() > 0) {
    im.warnings.push_back("monitor " + monitor + ": " + std::to_string(writes.junk_bytes() + reads.junk_bytes()) +
                          " logged bytes were not JSON and were skipped");
  }

  // A greeting after other messages is a new connection on a reused monitor address (a VM restarted, a
  // reconnect): each connection gets a transcript of its own.
  std::vector<ImportedMonitor> out;
  std::vector<std::vector<RawMessage>> connections(1);
  for (RawMessage& m : messages) {
    if (m.direction == qmp::Direction::from_qemu && is_greeting(m.text) && !connections.back().empty()) {
      connections.emplace_back();
    }
    connections.back().push_back(std::move(m));
  }
  for (std::size_t c = 0; c < connections.size(); ++c) {
    ImportedMonitor part;
    part.monitor = im.monitor;
    part.connection = c + 1;
    part.lines = im.lines;
    part.to_qemu_source = im.to_qemu_source;
    part.from_qemu_source = im.from_qemu_source;
    if (c + 1 == connections.size()) part.warnings = im.warnings;
    fill_transcript(part, connections[c], options);
    out.push_back(std::move(part));
  }
  return out;
}

std::optional<std::vector<ImportedMonitor>> import_records(std::vector<LibvirtRecord>& records,
                                                           const LibvirtImportOptions& options, qmp::error_code& ec,
                                                           qmp::Diagnostics& diag) {
  attribute_process_lines(records);

  std::vector<std::string> order;  // monitors in order of first appearance
  std::map<std::string, std::vector<const LibvirtRecord*>> by_monitor;
  for (const LibvirtRecord& r : records) {
    if (r.monitor.empty() || r.kind == Kind::other) continue;
    auto [it, inserted] = by_monitor.try_emplace(r.monitor);
    if (inserted) order.push_back(r.monitor);
    it->second.push_back(&r);
  }
  if (order.empty()) {
    ec = qmp::transcript_errc::bad_log;
    diag.what = "no QMP traffic found (no QEMU_MONITOR_* entries: was the log written with "
                "log_filters=\"1:qemu.qemu_monitor 1:qemu.qemu_monitor_json\"?)";
    return std::nullopt;
  }
  if (!options.monitor.empty() && !by_monitor.count(options.monitor)) {
    std::string found;
    for (const auto& m : order) found += (found.empty() ? "" : ", ") + m;
    ec = qmp::transcript_errc::bad_log;
    diag.what = "monitor " + options.monitor + " is not in the log (monitors found: " + found + ")";
    return std::nullopt;
  }
  std::vector<ImportedMonitor> out;
  for (const std::string& m : order) {
    if (!options.monitor.empty() && m != options.monitor) continue;
    auto parts = import_monitor(m, by_monitor[m], options, ec, diag);
    if (!parts) return std::nullopt;
    for (ImportedMonitor& part : *parts) out.push_back(std::move(part));
  }
  return out;
}

}  // namespace

std::optional<std::vector<ImportedMonitor>> import_libvirt_log(std::string_view log_text,
                                                               const LibvirtImportOptions& options,
                                                               qmp::error_code& ec, qmp::Diagnostics& diag) {
  auto records = parse_libvirt_log(log_text, ec, diag, options.max_line_bytes);
  if (!records) return std::nullopt;
  return import_records(*records, options, ec, diag);
}

std::optional<std::vector<ImportedMonitor>> import_libvirt_log_file(const std::string& path,
                                                                    const LibvirtImportOptions& options,
                                                                    qmp::error_code& ec, qmp::Diagnostics& diag) {
  LibvirtLogParser parser(options.max_line_bytes);
  const auto feed = [&](const qmp::TextLine& line) { return parser.feed_line(line.text, ec, diag); };
  if (!qmp::for_each_file_line(path, options.max_line_bytes, feed, ec, diag)) {
    if (ec.category() == qmp::transcript_category()) diag.what = path + ": " + diag.what;
    return std::nullopt;
  }
  parser.finish();
  LibvirtImportOptions o = options;
  if (o.origin.empty()) o.origin = path.substr(path.find_last_of('/') + 1);
  return import_records(parser.records(), o, ec, diag);
}

}  // namespace trace
