#include "trace/timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace trace {
namespace {

std::string seconds(std::chrono::microseconds t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%10.6f", static_cast<double>(t.count()) / 1e6);
  return buf;
}

std::string millis(std::optional<std::chrono::microseconds> d) {
  if (!d) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(d->count()) / 1e3);
  return buf;
}

std::string client_tag(const std::optional<std::uint64_t>& client) {
  return client ? "  [client " + std::to_string(*client) + "]" : std::string();
}

std::string point(const TimelinePoint& p) {
  return "seq " + std::to_string(p.seq) + " (" + seconds(p.t).substr(seconds(p.t).find_first_not_of(' ')) + " s)";
}

void render_client(std::string& out, const ClientActivity& c) {
  out += "  client " + std::to_string(c.client) + ": " + std::to_string(c.commands) + " command(s), " +
         std::to_string(c.replies) + " repl" + (c.replies == 1 ? "y" : "ies");
  if (c.errors > 0) out += " (" + std::to_string(c.errors) + " error(s))";
  out += ", " + point(c.first) + " to " + point(c.last);
  std::string names;
  for (const auto& [name, count] : c.command_names)
    names += (names.empty() ? "" : ", ") + name + (count > 1 ? " x" + std::to_string(count) : "");
  if (!names.empty()) out += ": " + names;
  out += "\n";
}

void render_job(std::string& out, const JobTimeline& j) {
  out += "job " + j.id + " (" + (j.type.empty() ? "type unknown" : j.type);
  if (!j.created_by.empty()) out += ", " + j.created_by;
  out += "): " + (j.outcome.empty() ? std::string("still running at the end of the recording") : j.outcome) + "\n";

  std::vector<std::pair<TimelinePoint, std::string>> rows;  // a row's client is shown after its text
  if (j.start) rows.emplace_back(*j.start, j.created_by.empty() ? "first seen" : j.created_by + " sent");
  for (const auto& s : j.states) rows.emplace_back(s.at, "status " + s.status);
  const auto has_row = [&](const TimelinePoint& p) {
    return std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return r.first.seq == p.seq; });
  };
  if (j.ready && !has_row(*j.ready)) rows.emplace_back(*j.ready, "BLOCK_JOB_READY");
  if (j.ready_polled) rows.emplace_back(*j.ready_polled, "a query reply shows it ready");
  if (j.completion_sent) rows.emplace_back(*j.completion_sent, j.completion_command + " sent");
  if (j.completed && !has_row(*j.completed)) rows.emplace_back(*j.completed, j.outcome);
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first.seq < b.first.seq; });
  out += "      t (s)       seq  what\n";
  for (const auto& [at, what] : rows) {
    char seq[32];
    std::snprintf(seq, sizeof seq, "%8llu", static_cast<unsigned long long>(at.seq));
    out += "  " + seconds(at.t) + "  " + seq + "  " + what + client_tag(at.client) + "\n";
  }
  const std::string completion = j.completion_command.empty() ? "completion" : j.completion_command;
  const auto latency = [&](const std::string& label, std::optional<std::chrono::microseconds> d) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "  %-36s%12s", (label + ":").c_str(), millis(d).c_str());
    out += buf;
  };
  latency("start -> ready", j.start_to_ready());
  out += "\n";
  latency("ready -> " + completion + " sent", j.ready_to_completion_sent());
  if (j.ready_polled && j.completion_sent && j.ready) {
    out += "  (a poll first showed it ready " + millis(j.ready_polled->t - j.ready->t) + " after ready)";
  }
  out += "\n";
  latency(completion + " sent -> completed", j.completion_sent_to_completed());
  out += "\n";
  if (j.polls > 0) out += "  listed by " + std::to_string(j.polls) + " query-block-jobs/query-jobs replies\n";
}

}  // namespace

std::string render_timeline(const Timeline& timeline, const qmp::TranscriptHeader& header) {
  std::string out = "transcript from " + header.source;
  if (!header.monitor.empty()) out += ", monitor " + header.monitor;
  out += ", QEMU " + (header.qemu_version.empty() ? std::string("version unknown") : header.qemu_version);
  if (header.started) out += ", started " + qmp::format_wall_time(*header.started);
  out += "\n";
  if (!timeline.clients.empty()) {
    out += "\nclients of the proxy (the numbers of its log):\n";
    for (const auto& c : timeline.clients) render_client(out, c);
  }
  if (timeline.jobs.empty()) out += timeline.clients.empty() ? "no jobs\n" : "\nno jobs\n";
  for (const auto& j : timeline.jobs) {
    out += "\n";
    render_job(out, j);
  }
  return out;
}

}  // namespace trace
