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

#include <charconv>
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

struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // name -> value ("" for flags)
  std::string error;
  std::size_t max_line_bytes = qmp::kDefaultMaxLineBytes;  // --max-line-bytes, taken by every action
};

constexpr std::string_view kMaxLineOption = "--max-line-bytes";

// The value of --max-line-bytes: a whole number of bytes, 1 or more.
bool parse_max_line(const std::string& text, Args& a) {
  std::size_t v = 0;
  const auto [p, e] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || e != std::errc{} || p != text.data() + text.size() || v == 0) {
    a.error = std::string(kMaxLineOption) + " needs a whole number of bytes (1 or more), got '" + text + "'";
    return false;
  }
  a.max_line_bytes = v;
  return true;
}

// Splits `args` into positionals and the options named in `with_value` / `flags`.
Args parse(const std::vector<std::string>& args, std::initializer_list<std::string_view> with_value,
           std::initializer_list<std::string_view> flags) {
  Args a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s == kMaxLineOption) {
      if (i + 1 >= args.size()) {
        a.error = s + " needs a value";
        return a;
      }
      if (!parse_max_line(args[++i], a)) return a;
    } else if (s.size() > 1 && s[0] == '-') {
      bool known = false;
      for (const auto name : with_value) {
        if (s != name) continue;
        known = true;
        if (i + 1 >= args.size()) {
          a.error = s + " needs a value";
          return a;
        }
        a.options.emplace_back(s, args[++i]);
      }
      for (const auto name : flags) {
        if (s != name) continue;
        known = true;
        a.options.emplace_back(s, "");
      }
      if (!known) {
        a.error = "unknown option " + s;
        return a;
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

std::optional<std::string> option(const Args& a, std::string_view name, std::string_view alias = {}) {
  for (const auto& [n, v] : a.options) {
    if (n == name || (!alias.empty() && n == alias)) return v;
  }
  return std::nullopt;
}

int usage(std::FILE* err, const std::string& what) {
  say(err, "qmpc trace: %s\nusage:\n%s", what.c_str(), trace_actions_usage().c_str());
  return kUsage;
}

// The hint for an error of a line too long.
const char* raise_hint(const qmp::error_code& ec) {
  return ec == qmp::transcript_errc::line_too_long ? " (--max-line-bytes raises it)" : "";
}

std::optional<qmp::Transcript> load(const std::string& path, const Args& a, std::FILE* err) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  qmp::TranscriptReadOptions o;
  o.max_line_bytes = a.max_line_bytes;
  auto t = qmp::read_transcript_file(path, ec, diag, o);
  if (!t) say(err, "qmpc trace: %s%s\n", diag.desc.c_str(), raise_hint(ec));
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

int import_libvirt(const Args& a, std::FILE* out, std::FILE* err) {
  if (a.positional.size() != 1) return usage(err, "import-libvirt takes one LOG file");
  const std::string& log = a.positional[0];
  LibvirtImportOptions o;
  o.monitor = option(a, "--monitor").value_or("");
  o.max_line_bytes = a.max_line_bytes;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto imported = import_libvirt_log_file(log, o, ec, diag);
  if (!imported) {
    say(err, "qmpc trace: %s%s\n", diag.desc.c_str(), raise_hint(ec));
    return kFailed;
  }
  const auto output = option(a, "-o", "--output");
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
    const auto existing = option(a, "--overwrite") ? qmp::ExistingFile::replace : qmp::ExistingFile::refuse;
    if (!qmp::write_transcript_file(file, m.transcript, ec, diag, existing)) {
      say(err, "qmpc trace: %s%s\n", diag.desc.c_str(),
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

int timeline(const Args& a, std::FILE* out, std::FILE* err) {
  if (a.positional.size() != 1) return usage(err, "timeline takes one transcript FILE");
  auto t = load(a.positional[0], a, err);
  if (!t) return kFailed;
  const Timeline timeline = build_timeline(*t);
  if (option(a, "--json"))
    say(out, "%s", render_timeline_json(timeline).c_str());
  else
    say(out, "%s", render_timeline(timeline, t->header).c_str());
  return kOk;
}

int check(const Args& a, std::FILE* out, std::FILE* err) {
  if (a.positional.size() != 1) return usage(err, "check takes one transcript FILE");
  auto t = load(a.positional[0], a, err);
  if (!t) return kFailed;
  const auto findings = check_transcript(*t);
  say(out, "%s", (option(a, "--json") ? render_findings_json(findings) : render_findings(findings)).c_str());
  for (const Finding& f : findings) {
    if (f.severity == Severity::error) return kFailed;
  }
  return kOk;
}

int show(const Args& a, std::FILE* out, std::FILE* err) {
  if (a.positional.size() != 1) return usage(err, "show takes one transcript FILE");
  auto t = load(a.positional[0], a, err);
  if (!t) return kFailed;
  say(out, "%s", render_transcript(*t).c_str());
  return kOk;
}

int replay(boost::asio::io_context& ioc, const Args& a, std::FILE* out, std::FILE* err) {
  const auto listen = option(a, "--listen");
  if (a.positional.size() != 1 || !listen) return usage(err, "replay takes one transcript FILE and --listen PATH");
  auto t = load(a.positional[0], a, err);
  if (!t) return kFailed;
  ReplayOptions o;
  o.paced = option(a, "--paced").has_value();
  o.max_line = a.max_line_bytes;
  for (const auto& [name, value] : a.options)
    if (name == "--ignore") o.ignored_arguments.push_back(value);
  ReplayServer server(ioc.get_executor(), std::move(*t), o);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  if (!server.listen(*listen, ec, diag)) {
    say(err, "qmpc trace: %s\n", diag.desc.c_str());
    return kFailed;
  }
  // SIGINT/SIGTERM end the replay and remove its socket (exit 130); caught from before the line that says the
  // socket is ready.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  say(out, "replaying %s on %s%s\n", a.positional[0].c_str(), listen->c_str(), o.paced ? " (paced)" : "");
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

namespace {

struct ActionUsage {
  std::string_view action;
  std::string_view usage;
  std::string_view what;
};

constexpr ActionUsage kActions[] = {
    {"import-libvirt", "qmpc trace import-libvirt LOG [--monitor 0xADDR] [-o FILE|-] [--overwrite]",
     "turn a libvirt debug log into transcripts, one per monitor and connection (-o -: the one transcript on stdout)"},
    {"timeline", "qmpc trace timeline FILE [--json]",
     "per-job states and latencies (--json: one JSON object per job and line)"},
    {"check", "qmpc trace check FILE [--json]",
     "findings, one per line (--json: one JSON object per finding, then the counts); exit 1 when one is an error"},
    {"show", "qmpc trace show FILE", "the transcript for people: time, sequence number, direction, message"},
    {"replay", "qmpc trace replay FILE --listen PATH [--paced] [--ignore PATH]...",
     "serve the recording to one client on a UNIX socket, checking it sends the same commands with the same "
     "arguments (--ignore: an argument path that may differ, e.g. job-id or target)"},
};

std::string max_line_usage() {
  return "  every action: [--max-line-bytes N] (longest line read, default " +
         std::to_string(qmp::kDefaultMaxLineBytes) + ")\n";
}

bool asks_for_help(const std::vector<std::string>& args) {
  for (const auto& s : args)
    if (s == "-h" || s == "--help") return true;
  return false;
}

}  // namespace

std::string trace_actions_usage() {
  std::string text;
  for (const auto& u : kActions) text += "  " + std::string(u.usage) + "\n";
  return text + max_line_usage();
}

int run_trace_action(boost::asio::io_context& ioc, std::string_view action, const std::vector<std::string>& args,
                     std::FILE* out, std::FILE* err) {
  if (asks_for_help(args)) {
    for (const auto& u : kActions) {
      if (u.action != action) continue;
      say(out, "usage: %s\n  %s\n%s", std::string(u.usage).c_str(), std::string(u.what).c_str(),
          max_line_usage().c_str());
      return kOk;
    }
  }
  if (action == "import-libvirt") {
    const Args a = parse(args, {"--monitor", "-o", "--output"}, {"--overwrite"});
    return a.error.empty() ? import_libvirt(a, out, err) : usage(err, a.error);
  }
  if (action == "timeline" || action == "check") {
    const Args a = parse(args, {}, {"--json"});
    if (!a.error.empty()) return usage(err, a.error);
    return action == "timeline" ? timeline(a, out, err) : check(a, out, err);
  }
  if (action == "show") {
    const Args a = parse(args, {}, {});
    return a.error.empty() ? show(a, out, err) : usage(err, a.error);
  }
  if (action == "replay") {
    const Args a = parse(args, {"--listen", "--ignore"}, {"--paced"});
    return a.error.empty() ? replay(ioc, a, out, err) : usage(err, a.error);
  }
  return usage(err, action.empty() ? "an action is needed" : "unknown action '" + std::string(action) + "'");
}

}  // namespace trace
