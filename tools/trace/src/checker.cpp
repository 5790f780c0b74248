#include "trace/checker.hpp"

#include "trace/job_messages.hpp"

#include <mirror/job_status.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace trace {
namespace {

using mirror::JobStatus;

struct JobFacts {
  JobStatus status = JobStatus::unknown;
  bool auto_dismiss = true;
  bool dismiss_sent = false;
  std::optional<std::pair<std::uint64_t, std::chrono::microseconds>> concluded_at;
  // BLOCK_JOB_ERRORs that stopped the job since its last resume/cancel: the first one and how many.
  std::optional<std::pair<std::uint64_t, std::chrono::microseconds>> unhandled_stop;
  std::size_t unhandled_stops = 0;
  // The last query-block-jobs reply showed offset == len with ready false, and no ready signal came since.
  std::optional<std::uint64_t> offset_equals_len_seq;
};

class Checker {
 public:
  explicit Checker(const qmp::Transcript& t) : transcript_(t) {
    for (const auto& e : t.entries) {
      if (e.direction == qmp::Direction::from_qemu && e.json.find("\"QMP\"") != std::string::npos) {
        if (auto m = e.to_message(); m && m->kind() == qmp::MessageKind::greeting) from_greeting_ = true;
      }
      break;  // only the first message counts
    }
  }

  std::vector<Finding> run() {
    for (const auto& e : transcript_.entries) {
      auto m = e.to_message();
      if (!m) continue;
      at_ = &e;
      switch (m->kind()) {
        case qmp::MessageKind::command: on_command(*m); break;
        case qmp::MessageKind::event: on_event(*m); break;
        case qmp::MessageKind::reply:
        case qmp::MessageKind::error_reply: on_reply(*m); break;
        default: break;
      }
    }
    at_end();
    return std::move(findings_);
  }

 private:
  void add(std::string rule, Severity s, std::string why) {
    findings_.push_back({std::move(rule), s, at_->seq, at_->time, std::move(why), at_->client});
  }
  // Findings found at the end are about events, which concern no one client.
  void add_at(std::string rule, Severity s, std::uint64_t seq, std::chrono::microseconds t, std::string why) {
    findings_.push_back({std::move(rule), s, seq, t, std::move(why), std::nullopt});
  }

  void on_command(const qmp::Message& m) {
    const std::string name(m.command_name());
    const std::uint64_t previous_command = last_command_seq_;
    last_command_seq_ = at_->seq;
    if (name == "qmp_capabilities") {
      capabilities_sent_ = true;
    } else if (from_greeting_ && !capabilities_sent_ && !reported_early_command_) {
      reported_early_command_ = true;
      add("command-before-capabilities", Severity::error,
          name + " sent before qmp_capabilities: QEMU answers every command with CommandNotFound until "
                 "capabilities are negotiated");
    }
    if (const qmp::json::Value* id = m.id()) {
      outstanding_[qmp::json::to_string(*id)] = at_->client;
    } else {
      ++outstanding_without_id_;
    }
    for (const JobCommand& created : jobs_created_by(m)) {
      JobFacts& j = jobs_[created.job];
      j = JobFacts{};
      j.auto_dismiss = created.auto_dismiss;
    }
    const auto c = job_command_of(m);
    if (!c || c->verb == JobVerb::create) return;
    const auto it = jobs_.find(c->job);
    JobFacts* j = it == jobs_.end() ? nullptr : &it->second;
    const std::string status = j ? mirror::to_string(j->status) : "unknown";
    const bool known = j && j->status != JobStatus::unknown;
    switch (c->verb) {
      case JobVerb::complete:
        // "Right after": no other command between that poll's reply and this one.
        if (j && j->offset_equals_len_seq && previous_command < *j->offset_equals_len_seq) {
          add("completion-on-offset", Severity::error,
              c->command + " for job '" + c->job + "' sent right after the query-block-jobs reply #" +
                  std::to_string(*j->offset_equals_len_seq) +
                  " showed offset == len with ready false: offset == len does not mean ready, wait for the job's "
                  "ready signal");
        }
        if (known && !mirror::is_ready_status(j->status)) {
          add("completion-not-ready", Severity::error,
              c->command + " for job '" + c->job + "' sent while it was " + status +
                  ": QEMU accepts complete only in ready or standby");
        }
        break;
      case JobVerb::finalize:
        if (known && j->status != JobStatus::pending) {
          add("finalize-wrong-state", Severity::error,
              c->command + " for job '" + c->job + "' sent while it was " + status +
                  ": QEMU accepts finalize only in pending");
        }
        break;
      case JobVerb::dismiss:
        if (j) j->dismiss_sent = true;
        if (known && j->status != JobStatus::concluded) {
          add("dismiss-wrong-state", Severity::error,
              c->command + " for job '" + c->job + "' sent while it was " + status +
                  ": QEMU accepts dismiss only in concluded");
        }
        break;
      case JobVerb::resume:
      case JobVerb::cancel:
        if (j) {
          j->unhandled_stop.reset();
          j->unhandled_stops = 0;
        }
        break;
      default: break;
    }
    if (j) j->offset_equals_len_seq.reset();
  }

  void on_event(const qmp::Message& m) {
    const auto ev = job_event_of(m);
    if (!ev) return;
    JobFacts& j = jobs_[ev->job];
    if (!ev->status.empty()) {
      const auto s = mirror::parse_job_status(ev->status);
      if (!s) return;
      set_status(j, *s);
      return;
    }
    const std::string_view name = m.event_name();
    if (name == "BLOCK_JOB_READY") {
      j.offset_equals_len_seq.reset();
    } else if (name == "BLOCK_JOB_ERROR") {
      const auto action = qmp::json::get_string(*m.data(), "action").value_or("");
      if (action == "stop") {
        if (!j.unhandled_stop) j.unhandled_stop = {at_->seq, at_->time};
        ++j.unhandled_stops;
      }
    }
  }

  void set_status(JobFacts& j, JobStatus s) {
    j.status = s;
    if (mirror::is_ready_status(s)) j.offset_equals_len_seq.reset();
    if (s == JobStatus::concluded && !j.concluded_at) j.concluded_at = {at_->seq, at_->time};
    if (s == JobStatus::null || s == JobStatus::aborting || s == JobStatus::concluded) {
      // A job that ends (or is being torn down) needs no resume any more.
      j.unhandled_stop.reset();
      j.unhandled_stops = 0;
    }
    if (s == JobStatus::null) j.concluded_at.reset();
  }

  void on_reply(const qmp::Message& m) {
    const qmp::json::Value* id = m.id();
    if (!id) {
      if (outstanding_without_id_ > 0) {
        --outstanding_without_id_;
      } else if (m.kind() == qmp::MessageKind::error_reply) {
        add("unknown-reply-id", Severity::warning,
            "an error without id (\"" + std::string(m.error_desc()) + "\"): QEMU could not read a command");
      }
      return;
    }
    const std::string key = qmp::json::to_string(*id);
    std::string command;
    if (auto it = outstanding_.find(key); it != outstanding_.end()) {
      if (it->second != at_->client) {
        const auto name = [](const std::optional<std::uint64_t>& c) {
          return c ? "client " + std::to_string(*c) : std::string("no client");
        };
        add("reply-wrong-client", Severity::error,
            "the reply with id " + key + " is tagged " + name(at_->client) + ", its command " + name(it->second) +
                ": the proxy gave it to the wrong client");
      }
      outstanding_.erase(it);
    } else {
      add("unknown-reply-id", from_greeting_ ? Severity::error : Severity::warning,
          "a reply with id " + key + " that " + (answered_.count(key) ? "was already answered" : "was never sent") +
              (from_greeting_ ? "" : " (the recording starts mid-session: it may answer an earlier command)"));
    }
    answered_.insert(key);
    if (m.kind() != qmp::MessageKind::reply) return;
    const auto rows = job_query_rows(m);
    for (const JobQueryRow& row : rows) {
      auto it = jobs_.find(row.job);
      if (it == jobs_.end()) it = jobs_.emplace(row.job, JobFacts{}).first;
      JobFacts& j = it->second;
      if (auto s = mirror::parse_job_status(row.status)) set_status(j, *s);
      if (row.auto_dismiss) j.auto_dismiss = *row.auto_dismiss;
      if (row.from_block_jobs && !row.ready && row.offset && row.len && *row.len > 0 && *row.offset == *row.len) {
        j.offset_equals_len_seq = at_->seq;
      } else if (row.from_block_jobs) {
        j.offset_equals_len_seq.reset();
      }
    }
  }

  void at_end() {
    for (const auto& [id, j] : jobs_) {
      if (!j.auto_dismiss && j.concluded_at && !j.dismiss_sent) {
        add_at("concluded-not-dismissed", Severity::warning, j.concluded_at->first, j.concluded_at->second,
               "job '" + id + "' (auto-dismiss false) concluded and was never dismissed: it stays in query-jobs "
               "and keeps its id busy until job-dismiss");
      }
      if (j.unhandled_stop) {
        add_at("error-not-handled", Severity::error, j.unhandled_stop->first, j.unhandled_stop->second,
               "job '" + id + "' was stopped by an I/O error (BLOCK_JOB_ERROR action stop" +
                   (j.unhandled_stops > 1 ? ", " + std::to_string(j.unhandled_stops) + " times" : std::string()) +
                   ") and never resumed or cancelled: it stays paused");
      }
    }
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const Finding& a, const Finding& b) { return a.seq < b.seq; });
  }

  const qmp::Transcript& transcript_;
  const qmp::TranscriptEntry* at_ = nullptr;
  bool from_greeting_ = false;
  bool capabilities_sent_ = false;
  bool reported_early_command_ = false;
  std::uint64_t last_command_seq_ = 0;
  std::map<std::string, std::optional<std::uint64_t>> outstanding_;  // id text -> the command's client
  std::set<std::string> answered_;
  std::size_t outstanding_without_id_ = 0;
  std::map<std::string, JobFacts> jobs_;
  std::vector<Finding> findings_;
};

}  // namespace

const char* to_string(Severity s) noexcept { return s == Severity::error ? "error" : "warning"; }

std::vector<Finding> check_transcript(const qmp::Transcript& transcript) { return Checker(transcript).run(); }

}  // namespace trace
