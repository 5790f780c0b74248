#include "mirror/job_actions.hpp"

#include <chrono>
#include <string>

namespace mirror {

const char* to_string(Command c) noexcept {
  switch (c) {
    case Command::start: return "start";
    case Command::complete: return "complete";
    case Command::finish: return "finish";
    case Command::cancel: return "cancel";
    case Command::force_cancel: return "force-cancel";
    case Command::finalize: return "finalize";
    case Command::dismiss: return "dismiss";
    case Command::resume: return "resume";
    case Command::query_jobs: return "query-jobs";
    case Command::query_block_jobs: return "query-block-jobs";
  }
  return "?";
}

const char* to_string(Timer t) noexcept {
  switch (t) {
    case Timer::ready: return "ready";
    case Timer::completion: return "completion";
    case Timer::soft_cancel: return "soft-cancel";
    case Timer::abort: return "abort";
  }
  return "?";
}

const char* to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::pivoted: return "pivoted";
    case Outcome::finished: return "finished";
    case Outcome::completed: return "completed";
    case Outcome::cancelled: return "cancelled";
    case Outcome::failed: return "failed";
    case Outcome::start_failed: return "start-failed";
    case Outcome::ready: return "ready";
    case Outcome::detached: return "detached";
    case Outcome::unknown: return "unknown";
  }
  return "?";
}

const char* to_string(EndMode m) noexcept {
  switch (m) {
    case EndMode::pivot: return "pivot";
    case EndMode::finish: return "finish";
    case EndMode::abort: return "abort";
    case EndMode::wait_ready: return "wait-ready";
    case EndMode::detach: return "detach";
    case EndMode::manual: return "manual";
    case EndMode::run: return "run";
  }
  return "?";
}

const char* to_string(Request r) noexcept {
  switch (r) {
    case Request::pivot: return "pivot";
    case Request::finish: return "finish";
    case Request::abort: return "abort";
    case Request::wait_ready: return "wait-ready";
  }
  return "?";
}

namespace {
struct Describer {
  std::string operator()(const SendCommand& a) const {
    return "send " + a.name + (a.arguments.empty() ? "" : " " + a.arguments) + " (" + to_string(a.command) + ")";
  }
  std::string operator()(const StatusChanged& a) const {
    return std::string("status ") + to_string(a.from) + " -> " + to_string(a.to);
  }
  std::string operator()(const ReadyReached& a) const { return "ready (" + a.source + ")"; }
  std::string operator()(const JobErrorReported& a) const {
    return "job error operation=" + a.operation + " action=" + a.action + " #" + std::to_string(a.count);
  }
  std::string operator()(const PausedByError& a) const {
    return "stopped by error: " + a.message + (a.will_resume ? " (resuming)" : " (aborting)");
  }
  std::string operator()(const Progress& a) const {
    return "progress " + std::to_string(a.offset) + "/" + std::to_string(a.len) + (a.ready ? " ready" : "");
  }
  std::string operator()(const ArmTimer& a) const { return std::string("arm ") + to_string(a.timer); }
  std::string operator()(const DisarmTimer& a) const { return std::string("disarm ") + to_string(a.timer); }
  std::string operator()(const Refused& a) const {
    return std::string("refused ") + to_string(a.request) + ": " + a.reason;
  }
  std::string operator()(const Finished& a) const {
    std::string s = std::string("finished ") + to_string(a.outcome);
    if (!a.diagnostics.empty()) s += ": " + a.diagnostics.describe({});
    if (a.deadline) s += std::string(" (deadline ") + to_string(*a.deadline) + ")";
    return s;
  }
};
}  // namespace

std::string describe(const Action& a) { return std::visit(Describer{}, a); }

}  // namespace mirror
