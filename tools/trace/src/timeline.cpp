#include "trace/timeline.hpp"

#include "trace/job_messages.hpp"

#include <algorithm>
#include <map>

namespace trace {
namespace {

std::optional<std::chrono::microseconds> between(const std::optional<TimelinePoint>& a,
                                                 const std::optional<TimelinePoint>& b) {
  if (!a || !b) return std::nullopt;
  return b->t - a->t;
}

class TimelineBuilder {
 public:
  void on_entry(const qmp::TranscriptEntry& e) {
    auto m = e.to_message();
    if (!m) return;
    const TimelinePoint at{e.seq, e.time, e.client};
    if (e.client) on_client_entry(*m, at);
    switch (m->kind()) {
      case qmp::MessageKind::command: on_command(*m, at); break;
      case qmp::MessageKind::event: on_event(*m, at); break;
      case qmp::MessageKind::reply: on_reply(*m, at); break;
      case qmp::MessageKind::error_reply: on_error_reply(*m); break;
      default: break;
    }
  }

  Timeline finish() {
    for (auto& [number, activity] : clients_) timeline_.clients.push_back(std::move(activity));
    return std::move(timeline_);
  }

 private:
  void on_client_entry(const qmp::Message& m, const TimelinePoint& at) {
    ClientActivity& c = clients_[*at.client];
    if (c.commands + c.replies == 0) {
      c.client = *at.client;
      c.first = at;
    }
    c.last = at;
    if (m.kind() == qmp::MessageKind::command) {
      ++c.commands;
      const std::string name(m.command_name());
      const auto it = std::find_if(c.command_names.begin(), c.command_names.end(),
                                   [&](const auto& n) { return n.first == name; });
      if (it == c.command_names.end()) c.command_names.emplace_back(name, 1);
      else ++it->second;
    } else if (m.kind() == qmp::MessageKind::reply || m.kind() == qmp::MessageKind::error_reply) {
      ++c.replies;
      if (m.kind() == qmp::MessageKind::error_reply) ++c.errors;
    }
  }

  JobTimeline* current(const std::string& id) {
    const auto it = current_.find(id);
    return it == current_.end() ? nullptr : &timeline_.jobs[it->second];
  }

  JobTimeline& open(const std::string& id, const TimelinePoint& at) {
    JobTimeline j;
    j.id = id;
    if (auto p = pending_creation_.find(id); p != pending_creation_.end()) {
      j.start = p->second.first;
      j.created_by = p->second.second;
      pending_creation_.erase(p);
    } else {
      j.start = at;
    }
    current_[id] = timeline_.jobs.size();
    timeline_.jobs.push_back(std::move(j));
    return timeline_.jobs.back();
  }

  JobTimeline& current_or_open(const std::string& id, const TimelinePoint& at) {
    JobTimeline* j = current(id);
    return j ? *j : open(id, at);
  }

  void on_command(const qmp::Message& m, const TimelinePoint& at) {
    const std::string_view name = m.command_name();
    for (const JobCommand& c : jobs_created_by(m)) {
      pending_creation_[c.job] = {at, c.command};
      if (const qmp::json::Value* id = m.id()) creations_[qmp::json::to_string(*id)].push_back(c.job);
    }
    if (auto c = job_command_of(m)) {
      if (c->verb == JobVerb::complete) {
        if (JobTimeline* j = current(c->job); j && !j->completion_sent) {
          j->completion_sent = at;
          j->completion_command = c->command;
        }
      }
      return;
    }
    if (name == "query-block-jobs" || name == "query-jobs") {
      if (const qmp::json::Value* id = m.id()) queries_[qmp::json::to_string(*id)] = std::string(name);
    }
  }

  void on_event(const qmp::Message& m, const TimelinePoint& at) {
    const auto ev = job_event_of(m);
    if (!ev) return;
    if (ev->status == "created") {
      open(ev->job, at);
    }
    JobTimeline& j = current_or_open(ev->job, at);
    if (!ev->type.empty()) j.type = ev->type;
    if (!ev->status.empty()) {
      j.states.push_back({ev->status, at});
      if (ev->status == "ready" && !j.ready) j.ready = at;
      if (ev->status == "concluded" && !j.completed) {
        j.completed = at;
        j.outcome = "concluded";
      }
      if (ev->status == "null") current_.erase(ev->job);
      return;
    }
    if (m.event_name() == "BLOCK_JOB_READY" && !j.ready) j.ready = at;
    if (m.event_name() == "BLOCK_JOB_COMPLETED" || m.event_name() == "BLOCK_JOB_CANCELLED") {
      if (!j.completed || j.outcome == "concluded") j.completed = at;
      if (m.event_name() == "BLOCK_JOB_CANCELLED") {
        j.outcome = "cancelled";
      } else if (!ev->error.empty()) {
        j.outcome = "failed: " + ev->error;
      } else {
        j.outcome = "completed";
      }
    }
  }

  // A refused creating command ("Job ID 'job0' already in use") created nothing: forget it.
  void on_error_reply(const qmp::Message& m) {
    const qmp::json::Value* id = m.id();
    if (!id) return;
    const auto c = creations_.find(qmp::json::to_string(*id));
    if (c == creations_.end()) return;
    for (const std::string& job : c->second) pending_creation_.erase(job);
    creations_.erase(c);
  }

  void on_reply(const qmp::Message& m, const TimelinePoint& at) {
    const qmp::json::Value* id = m.id();
    if (!id) return;
    const auto q = queries_.find(qmp::json::to_string(*id));
    if (q == queries_.end()) return;
    queries_.erase(q);
    for (const JobQueryRow& row : job_query_rows(m)) {
      JobTimeline* j = current(row.job);
      if (!j) continue;
      ++j->polls;
      if (j->type.empty()) j->type = row.type;
      if (j->ready && !j->ready_polled && row.ready) j->ready_polled = at;
    }
  }

  Timeline timeline_;
  std::map<std::uint64_t, ClientActivity> clients_;
  std::map<std::string, std::size_t> current_;  // job id -> index of its live entry
  std::map<std::string, std::pair<TimelinePoint, std::string>> pending_creation_;  // job id -> command sent
  std::map<std::string, std::vector<std::string>> creations_;  // id text of a creating command -> its jobs
  std::map<std::string, std::string> queries_;  // id text of a query sent -> command name
};

}  // namespace

std::optional<std::chrono::microseconds> JobTimeline::start_to_ready() const { return between(start, ready); }
std::optional<std::chrono::microseconds> JobTimeline::ready_to_completion_sent() const {
  return between(ready, completion_sent);
}
std::optional<std::chrono::microseconds> JobTimeline::completion_sent_to_completed() const {
  return between(completion_sent, completed);
}

Timeline build_timeline(const qmp::Transcript& transcript) {
  TimelineBuilder b;
  for (const auto& e : transcript.entries) b.on_entry(e);
  return b.finish();
}

}  // namespace trace
