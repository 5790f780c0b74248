#include "trace/json_render.hpp"

#include "qmp/json.hpp"

namespace trace {
namespace {

void add_time(qmp::json::Object& o, std::string_view key, const std::optional<std::chrono::microseconds>& t) {
  if (t)
    o.add(key, static_cast<std::int64_t>(t->count()));
  else
    o.add_raw(key, "null");
}

void add_point(qmp::json::Object& o, std::string_view key, const std::optional<TimelinePoint>& p) {
  add_time(o, key, p ? std::optional<std::chrono::microseconds>(p->t) : std::nullopt);
}

}  // namespace

std::string render_timeline_json(const Timeline& timeline) {
  std::string out;
  for (const JobTimeline& j : timeline.jobs) {
    qmp::json::Object o;
    o.add("job", j.id).add("type", j.type).add("created_by", j.created_by).add("outcome", j.outcome);
    o.add("polls", static_cast<std::uint64_t>(j.polls));
    add_point(o, "start_us", j.start);
    add_point(o, "ready_us", j.ready);
    add_point(o, "ready_polled_us", j.ready_polled);
    o.add("completion_command", j.completion_command);
    add_point(o, "completion_sent_us", j.completion_sent);
    add_point(o, "completed_us", j.completed);
    // Recordings of `qmpc proxy`: the clients that sent the creating and the completion commands.
    if (j.start && j.start->client) o.add("start_client", *j.start->client);
    if (j.completion_sent && j.completion_sent->client) o.add("completion_client", *j.completion_sent->client);
    add_time(o, "start_to_ready_us", j.start_to_ready());
    add_time(o, "ready_to_completion_sent_us", j.ready_to_completion_sent());
    add_time(o, "completion_sent_to_completed_us", j.completion_sent_to_completed());
    std::string states = "[";
    for (const JobStateChange& s : j.states) {
      if (states.size() > 1) states += ",";
      states += qmp::json::Object()
                    .add("status", s.status)
                    .add("seq", s.at.seq)
                    .add("t_us", static_cast<std::int64_t>(s.at.t.count()))
                    .str();
    }
    o.add_raw("states", states + "]");
    out += o.str() + "\n";
  }
  return out;
}

std::string render_findings_json(const std::vector<Finding>& findings) {
  std::string out;
  std::uint64_t errors = 0;
  for (const Finding& f : findings) {
    if (f.severity == Severity::error) ++errors;
    qmp::json::Object o;
    o.add("severity", to_string(f.severity)).add("rule", f.rule).add("seq", f.seq);
    o.add("t_us", static_cast<std::int64_t>(f.t.count()));
    if (f.client) o.add("client", *f.client);  // a recording of `qmpc proxy`
    out += o.add("explanation", f.explanation).str() + "\n";
  }
  out += qmp::json::Object()
             .add("errors", errors)
             .add("warnings", static_cast<std::uint64_t>(findings.size()) - errors)
             .str() +
         "\n";
  return out;
}

}  // namespace trace
