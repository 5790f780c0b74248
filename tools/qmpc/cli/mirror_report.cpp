#include "cli/mirror_report.hpp"

#include "cli/size_value.hpp"

#include "qmp/json.hpp"

#include <cmath>
#include <cstdio>

namespace qmpc::cli {
namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

template <typename T>
std::string optional_number(const std::optional<T>& v) {
  if (!v) return "null";
  if constexpr (std::is_floating_point_v<T>)
    return number(*v);
  else
    return std::to_string(*v);
}

std::string json_quoted(std::string_view s) {
  std::string out;
  qmp::json::append_quoted(out, s);
  return out;
}

}  // namespace

std::string summary_json(const MirrorSummary& s) {
  std::string out = "{\"result\":" + json_quoted(s.result) + ",\"job\":" + json_quoted(s.job) +
                    ",\"len\":" + std::to_string(s.len) + ",\"offset\":" + std::to_string(s.offset) +
                    ",\"ready_ms\":" + optional_number(s.ready_ms) + ",\"done_ms\":" + optional_number(s.done_ms) +
                    ",\"pivot_us\":" + optional_number(s.pivot_us);
  if (!s.error.empty()) out += ",\"error\":" + json_quoted(s.error);
  return out + "}";
}

std::string summary_line(const MirrorSummary& s) {
  std::string out = s.result + ": job " + s.job;
  if (s.len > 0) out += ", " + format_size(s.offset) + " of " + format_size(s.len) + " copied";
  std::string times;
  if (s.ready_ms) times += "ready after " + number(std::round(*s.ready_ms)) + " ms";
  if (s.pivot_us)
    times += (times.empty() ? "" : ", ") + std::string(s.result == "pivoted" ? "pivot sent " : "") +
             (s.result == "finished" ? "finish sent " : "") +
             (s.result != "pivoted" && s.result != "finished" ? "completion sent " : "") +
             std::to_string(*s.pivot_us) + " us after ready";
  if (s.done_ms && (s.result == "pivoted" || s.result == "finished" || s.result == "completed"))
    times += (times.empty() ? "" : ", ") + std::string("completed after ") + number(std::round(*s.done_ms)) + " ms";
  if (!times.empty()) out += "; " + times;
  if (!s.error.empty()) out += "; " + s.error;
  return out;
}

std::string progress_json(const ProgressSample& p, double t_ms) {
  std::string eta = p.eta ? std::to_string(p.eta->count()) : "null";
  return "{\"type\":\"progress\",\"t_ms\":" + number(t_ms) + ",\"offset\":" + std::to_string(p.offset) +
         ",\"len\":" + std::to_string(p.len) + ",\"speed\":" + std::to_string(p.speed) +
         ",\"rate\":" + number(std::round(p.rate)) + ",\"eta_ms\":" + eta +
         ",\"ready\":" + (p.ready ? "true" : "false") + "}";
}

std::string status_json(std::string_view from, std::string_view to, double t_ms) {
  return "{\"type\":\"status\",\"t_ms\":" + number(t_ms) + ",\"from\":" + json_quoted(from) + ",\"to\":" + json_quoted(to) + "}";
}

std::string event_json(std::string_view type, double t_ms, std::string_view extra_members) {
  std::string out = "{\"type\":" + json_quoted(type) + ",\"t_ms\":" + number(t_ms);
  if (!extra_members.empty()) out += "," + std::string(extra_members);
  return out + "}";
}

std::string progress_bar(const ProgressSample& p, int width) {
  double fraction = p.len ? std::min(1.0, static_cast<double>(p.offset) / static_cast<double>(p.len)) : 0.0;
  // offset == len is not ready: the last step is the job's own word.
  if (!p.ready) fraction = std::min(fraction, 0.99);
  const int filled = std::min(static_cast<int>(fraction * width), p.ready ? width : width - 1);
  std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(width - filled), '.') + "]";
  char pct[16];
  std::snprintf(pct, sizeof pct, " %3d%%", static_cast<int>(fraction * 100));
  bar += pct;
  bar += "  " + format_size(static_cast<std::uint64_t>(p.rate)) + "/s";
  if (!p.status.empty() && p.status != "running") {
    bar += "  " + p.status;
  } else if (p.ready) {
    bar += "  ready";
  } else if (p.eta) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(*p.eta).count();
    bar += "  ETA " + (s >= 60 ? std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s" : std::to_string(s) + "s");
  }
  return bar;
}

}  // namespace qmpc::cli
