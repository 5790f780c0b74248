#include "trace/trace_commands.hpp"

#include "qmp/transcript_error.hpp"
#include "qmp/printable.hpp"
#include "qmp/transcript_reader.hpp"
#include "qmp/transcript_writer.hpp"
#include "trace/checker.hpp"
#include "trace/json_render.hpp"
#include "trace/libvirt_import.hpp"
#include "trace/replay_server.hpp"
#include "trace/timeline.hpp"
#include "trace/transcript_show.hpp"

#include <boost/asio/signal_set.hpp>

#include <cstdarg>
#include <cstdio>
#include <csignal>
#include <optional>

namespace trace {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kInterrupted = 130;

// Everything the actions print goes through here: what came from a file or a client (job ids, errors, excerpts)
// is escaped by qmp::printable, keeping the newlines of multi-line renderings.
[[gnu::format(printf, 2, 3)]] void say(std::FILE* f, const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  std::va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  std::vsnprintf(text.data(), text.size() + 1, format, again);
  va_end(again);
  const std::string safe = qmp::printable(text, qmp::Newlines::keep);
  std::fwrite(safe.data(), 1, safe.size(), f);
}

// The hint for an error of a line too long.
const char* raise_hint(const qmp::error_code& ec) {
  return ec == qmp::transcript_errc::line_too_long ? " (--max-line-bytes raises it)" : "";
}

std::optional<qmp::Transcript> load(const std::string& path, const TraceRequest& a, std::FILE* err) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  qmp::TranscriptReadOptions o;
  o.max_line_bytes = a.max_line_bytes;
  auto t = qmp::read_transcript_file(path, ec, diag, o);
  if (!t) say(err, "qmpc trace: %s%s\n", diag.what.c_str(), raise_hint(ec));
  if (t && t->truncated) {
    say(err, "qmpc trace: warning: %s ends in an incomplete line (the recording was cut short); it was "
                      "left out\n", path.c_str());
  }
  return t;
}

std::string stem_of(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (const auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
  return name;
}

int import_libvirt(const TraceRequest& a, std::FILE* out, std::FILE* err) {
  const std::string& log = a.file;
  LibvirtImportOptions o;
  o.monitor = a.monitor;
  o.max_line_bytes = a.max_line_bytes;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto imported = import_libvirt_log_file(log, o, ec, diag);
  if (!imported) {
    say(err, "qmpc trace: %s%s\n", diag.what.c_str(), raise_hint(ec));
    return kFailed;
  }
  const std::optional<std::string>& output = a.output;
  if (output && imported->size() != 1) {
    std::string which;
    for (const ImportedMonitor& m : *imported) {
      which += (which.empty() ? "" : ", ") + m.monitor;
      if (m.connection > 1) which += " (connection " + std::to_string(m.connection) + ")";
    }
    say(err,
        "qmpc trace: the log holds %zu transcripts (monitors %s); -o takes only one (select a monitor with "
        "--monitor)\n",
        imported->size(), which.c_str());
    return kUsage;
  }
  int rc = kOk;
  for (const ImportedMonitor& m : *imported) {
    for (const std::string& w : m.warnings) say(err, "qmpc trace: warning: %s\n", w.c_str());
    if (output && *output == "-") {
      // The transcript itself on stdout (already redacted and escaped as a transcript file is).
      const std::string text = qmp::format_transcript(m.transcript);
      std::fwrite(text.data(), 1, text.size(), out);
      continue;
    }
    std::string file = output.value_or(stem_of(log) + "-" + m.monitor +
                                       (m.connection > 1 ? "-" + std::to_string(m.connection) : "") + ".qmpt");
    const auto existing = a.overwrite ? qmp::ExistingFile::replace : qmp::ExistingFile::refuse;
    if (!qmp::write_transcript_file(file, m.transcript, ec, diag, existing)) {
      say(err, "qmpc trace: %s%s\n", diag.what.c_str(),
                   ec == qmp::errc::invalid_argument ? " (give a new FILE, or --overwrite to replace a regular file)"
                                                     : "");
      rc = ec == qmp::errc::invalid_argument ? kUsage : kFailed;
      continue;
    }
    say(out, "%s: monitor %s, connection %zu, %zu messages (to QEMU from %s, from QEMU from %s)\n",
                 file.c_str(), m.monitor.c_str(), m.connection, m.transcript.entries.size(),
                 to_string(m.to_qemu_source), to_string(m.from_qemu_source));
  }
  return rc;
}

int timeline(const TraceRequest& a, std::FILE* out, std::FILE* err) {
  auto t = load(a.file, a, err);
  if (!t) return kFailed;
  const Timeline timeline = build_timeline(*t);
  if (a.json)
    say(out, "%s", render_timeline_json(timeline).c_str());
  else
    say(out, "%s", render_timeline(timeline, t->header).c_str());
  return kOk;
}

int check(const TraceRequest& a, std::FILE* out, std::FILE* err) {
  auto t = load(a.file, a, err);
  if (!t) return kFailed;
  const auto findings = check_transcript(*t);
  say(out, "%s", (a.json ? render_findings_json(findings) : render_findings(findings)).c_str());
  for (const Finding& f : findings) {
    if (f.severity == Severity::error) return kFailed;
  }
  return kOk;
}

int show(const TraceRequest& a, std::FILE* out, std::FILE* err) {
  auto t = load(a.file, a, err);
  if (!t) return kFailed;
  say(out, "%s", render_transcript(*t).c_str());
  return kOk;
}

int replay(boost::asio::io_context& ioc, const TraceRequest& a, std::FILE* out, std::FILE* err) {
  auto t = load(a.file, a, err);
  if (!t) return kFailed;
  ReplayOptions o;
  o.paced = a.paced;
  o.max_line = a.max_line_bytes;
  o.ignored_arguments = a.ignored_arguments;
  ReplayServer server(ioc.get_executor(), std::move(*t), o);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  if (!server.listen(a.listen, ec, diag)) {
    say(err, "qmpc trace: %s\n", diag.what.c_str());
    return kFailed;
  }
  // SIGINT/SIGTERM end the replay and remove its socket (exit 130); caught from before the line that says the
  // socket is ready.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  say(out, "replaying %s on %s%s\n", a.file.c_str(), a.listen.c_str(), o.paced ? " (paced)" : "");
  std::fflush(out);
  int rc = kFailed;
  bool interrupted = false;
  signals.async_wait([&](const boost::system::error_code& e, int) {
    if (e) return;
    interrupted = true;
    server.close();
  });
  server.async_serve_one([&](qmp::error_code sec, ReplayResult r) {
    boost::system::error_code ignored;
    signals.cancel(ignored);
    if (interrupted) {
      say(err, "qmpc trace: replay interrupted\n");
      rc = kInterrupted;
      return;
    }
    say(out, "%s", r.report.c_str());
    if (sec == qmp::errc::message_too_large) {
      say(err, "qmpc trace: replay ended with an error: the client sent a line longer than the limit of %zu "
                        "bytes (--max-line-bytes raises it)\n", o.max_line);
    } else if (sec) {
      say(err, "qmpc trace: replay ended with an error: %s\n", sec.message().c_str());
    }
    rc = !sec && r.divergences.empty() ? kOk : kFailed;
  });
  ioc.run();
  return rc;
}

}  // namespace

const char* to_string(TraceAction a) noexcept {
  switch (a) {
    case TraceAction::import_libvirt: return "import-libvirt";
    case TraceAction::timeline: return "timeline";
    case TraceAction::check: return "check";
    case TraceAction::show: return "show";
    case TraceAction::replay: return "replay";
  }
  return "?";
}

int run_trace_action(boost::asio::io_context& ioc, const TraceRequest& request, std::FILE* out, std::FILE* err) {
  switch (request.action) {
    case TraceAction::import_libvirt: return import_libvirt(request, out, err);
    case TraceAction::timeline: return timeline(request, out, err);
    case TraceAction::check: return check(request, out, err);
    case TraceAction::show: return show(request, out, err);
    case TraceAction::replay: return replay(ioc, request, out, err);
  }
  return kUsage;
}

}  // namespace trace
