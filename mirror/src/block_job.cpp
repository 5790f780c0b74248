#include "mirror/block_job.hpp"

#include "mirror/job_state_machine.hpp"
#include "mirror/progress_meter.hpp"
#include "mirror/start_command.hpp"

#include <qmp/json.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>

namespace mirror {
namespace detail {

namespace asio = boost::asio;
using qmp::Clock;

class JobRun : public std::enable_shared_from_this<JobRun> {
 public:
  JobRun(qmp::Session& session, const JobOptions& options)
      : session_(session),
        opt_(options),
        ex_(session.get_executor()),
        timers_{asio::steady_timer(ex_), asio::steady_timer(ex_), asio::steady_timer(ex_), asio::steady_timer(ex_)},
        poll_timer_(ex_) {}

  void start(asio::any_completion_handler<RunSignature> h) {
    handler_.emplace(std::move(h));
    // The caller's cancellation aborts the job (it is not abandoned half-way: the run ends when the job did).
    slot_ = asio::get_associated_cancellation_slot(*handler_);
    if (slot_.is_connected()) {
      slot_.assign([w = weak_from_this()](asio::cancellation_type) {
        auto self = w.lock();
        if (!self || self->finished_) return;
        asio::post(self->ex_, [self] {
          if (!self->machine_) return self->complete(asio::error::operation_aborted, "cancelled before the job started");
          self->request(Request::abort);
        });
      });
    }
    result_.job_id = opt_.job_id;
    std::string why;
    if (opt_.attach) {
      if (opt_.job_id.empty()) return complete(make_error_code(errc::invalid_options), "the job id is empty");
      start_command_.kind = opt_.kind;
    } else if (opt_.start) {
      start_command_ = *opt_.start;
    } else {
      auto cmd = build_start_command(opt_, &why);
      if (!cmd) return complete(make_error_code(errc::invalid_options), why);
      start_command_ = std::move(*cmd);
    }
    if (auto refusal = end_mode_refusal(start_command_.kind, opt_.end_mode))
      return complete(make_error_code(errc::invalid_options), *refusal);
    // Subscribe before anything is written: JOB_STATUS_CHANGE created/running come before the start reply.
    qmp::EventFilter filter;
    filter.names = {"JOB_STATUS_CHANGE", "BLOCK_JOB_READY",     "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED",
                    "BLOCK_JOB_ERROR",   "BLOCK_JOB_PENDING",   "SHUTDOWN"};
    qmp::SubscriptionOptions so;
    so.capacity = opt_.event_queue_capacity;  // an ignore flood is ~5000 events/s; a gap only costs a resync
    sub_ = session_.subscribe(std::move(filter), so);
    if (opt_.job_commands) return begin(*opt_.job_commands);
    session_.async_execute("query-commands", "", [self = shared_from_this()](qmp::error_code ec, qmp::Reply r) {
      if (self->finished_) return;
      if (ec) return self->complete(ec, "query-commands failed: " + r.diagnostics.describe(ec));
      bool has_job_complete = false;
      if (r.value().IsArray())
        for (const auto& c : r.value().GetArray())
          if (qmp::json::get_string(c, "name") == "job-complete") has_job_complete = true;
      self->begin(has_job_complete);
    });
  }

  std::optional<std::string> request(Request r) {
    if (!machine_ || finished_) return std::string("the job is not running");
    Actions a = machine_->request(r);
    std::optional<std::string> refused;
    for (const auto& x : a)
      if (auto* p = std::get_if<Refused>(&x)) refused = p->reason;
    if (!refused && r == Request::abort) abort_requested_ = true;
    execute(std::move(a));
    return refused;
  }

  void abandon() {
    if (finished_) return;
    complete(make_error_code(errc::abandoned),
             machine_ && machine_->cancel_sent() ? "abandoned while an abort was under way" : "abandoned");
  }

  JobStatus status() const noexcept { return machine_ ? machine_->status() : JobStatus::unknown; }
  bool ready() const noexcept { return machine_ && machine_->ready(); }

 private:
  void begin(bool job_commands) {
    result_.job_commands = job_commands;
    JobConfig cfg;
    cfg.job_id = opt_.job_id;
    cfg.kind = start_command_.kind;
    cfg.start_command = start_command_.name;
    cfg.start_arguments = start_command_.arguments;
    cfg.job_commands = job_commands;
    cfg.auto_finalize = opt_.auto_finalize;
    cfg.auto_dismiss = opt_.auto_dismiss;
    cfg.end_mode = opt_.end_mode;
    cfg.max_resumes = opt_.max_resumes;
    machine_.emplace(std::move(cfg));
    start_time_ = Clock::now();
    execute(opt_.attach ? machine_->attach() : machine_->start());
    next_event();
    schedule_poll();
  }

  // --- carrying out the machine's actions ---

  void execute(Actions actions) {
    for (auto& a : actions) {
      if (finished_) return;
      if (opt_.logger) opt_.logger->debug("job {}: {}", opt_.job_id, describe(a));
      std::visit([this](auto& x) { act(x); }, a);
    }
  }

  void act(SendCommand& c) {
    if ((c.command == Command::complete || c.command == Command::finish) && !result_.pivot_us && ready_signal_) {
      result_.pivot_us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - *ready_signal_).count();
    }
    session_.async_execute(c.name, c.arguments,
                           [self = shared_from_this(), cmd = c.command](qmp::error_code ec, qmp::Reply r) {
                             self->on_reply(cmd, ec, std::move(r));
                           });
  }
  void act(StatusChanged& s) {
    if (opt_.on_status) opt_.on_status(s.from, s.to);
  }
  void act(ReadyReached& r) {
    ready_signal_ = r.signal_time;
    result_.ready_ms = std::chrono::duration<double, std::milli>(r.signal_time - start_time_).count();
    r.ready_ms = *result_.ready_ms;
    if (opt_.on_ready) opt_.on_ready(r);
  }
  void act(JobErrorReported& e) {
    if (opt_.on_job_error) opt_.on_job_error(e);
  }
  void act(PausedByError& p) {
    if (opt_.logger) opt_.logger->warn("job {}: {}", opt_.job_id, p.message);
    if (opt_.on_paused_by_error) opt_.on_paused_by_error(p);
  }
  void act(Progress& p) {
    if (opt_.on_progress) opt_.on_progress(meter_.sample(Clock::now(), p.offset, p.len, p.speed, p.ready));
  }
  void act(ArmTimer& t) {
    const auto i = static_cast<std::size_t>(t.timer);
    std::optional<Clock::duration> d;
    switch (t.timer) {
      case Timer::ready: d = opt_.ready_timeout; break;
      case Timer::completion: d = opt_.completion_timeout; break;
      case Timer::soft_cancel: d = opt_.soft_cancel_timeout; break;
      case Timer::abort: d = opt_.abort_timeout; break;
    }
    if (!d) return;
    const std::uint64_t gen = ++timer_gen_[i];
    timers_[i].expires_after(*d);
    timers_[i].async_wait([self = shared_from_this(), which = t.timer, i, gen](qmp::error_code ec) {
      if (ec || self->finished_ || self->timer_gen_[i] != gen) return;
      self->execute(self->machine_->on_deadline(which));
    });
  }
  void act(DisarmTimer& t) {
    const auto i = static_cast<std::size_t>(t.timer);
    ++timer_gen_[i];
    timers_[i].cancel();
  }
  void act(Refused&) {}
  void act(Finished& f) {
    result_.deadline = f.deadline;
    complete(error_for(f), f.diagnostics, f.outcome);
  }

  qmp::error_code error_for(const Finished& f) const {
    switch (f.outcome) {
      case Outcome::start_failed: return make_error_code(errc::start_failed);
      case Outcome::failed: return make_error_code(errc::job_failed);
      case Outcome::unknown: return make_error_code(errc::outcome_unknown);
      case Outcome::cancelled:
        if (f.deadline == Timer::ready || f.deadline == Timer::completion) return make_error_code(errc::deadline_expired);
        if (opt_.end_mode == EndMode::abort || abort_requested_) return {};
        return make_error_code(errc::job_cancelled);
      case Outcome::pivoted:
        return opt_.end_mode == EndMode::pivot || opt_.end_mode == EndMode::manual
                   ? qmp::error_code{}
                   : make_error_code(errc::wrong_outcome);
      case Outcome::finished:
        return opt_.end_mode == EndMode::finish || opt_.end_mode == EndMode::manual
                   ? qmp::error_code{}
                   : make_error_code(errc::wrong_outcome);
      case Outcome::completed:
        return opt_.end_mode == EndMode::run || opt_.end_mode == EndMode::manual ? qmp::error_code{}
                                                                                 : make_error_code(errc::wrong_outcome);
      case Outcome::ready:  // with an error: a job told to end by itself that waits to be completed
        return f.diagnostics.empty() ? qmp::error_code{} : make_error_code(errc::wrong_outcome);
      case Outcome::detached: return {};
    }
    return make_error_code(errc::outcome_unknown);
  }

  // --- inputs ---

  void on_reply(Command cmd, qmp::error_code ec, qmp::Reply r) {
    // Events read before this reply may still be queued in the subscription (or in flight to its handler): they
    // are handed over after it. Events are never reordered among themselves; a reply handed over early is one of
    // the orders QEMU itself produces (a reply among the job's events), which the state machine handles, and a
    // query reply older than an event already fed is recognised by its sequence number.
    execute(machine_->on_reply(cmd, ec, r));
  }

  void feed_event(const qmp::Message& m, bool gap) {
    execute(machine_->on_event(m));
    if (gap && !finished_) {
      if (opt_.logger) opt_.logger->info("job {}: events were dropped; resyncing", opt_.job_id);
      execute(machine_->resync());
    }
  }

  void next_event() {
    // Whatever is queued already is handed over now, in order (nothing of this subscription is in flight here).
    while (!finished_) {
      auto m = sub_.try_next();
      if (!m) break;
      feed_event(*m, sub_.last_gap() > 0);
    }
    if (finished_ || waiting_event_) return;
    waiting_event_ = true;
    sub_.async_next(qmp::no_timeout, [self = shared_from_this()](qmp::error_code ec, qmp::Message m) {
      self->waiting_event_ = false;
      if (self->finished_) return;
      if (ec == qmp::make_error_code(qmp::errc::timeout)) return self->next_event();
      if (ec) {
        const auto& d = self->session_.failure_diagnostics();
        const auto fe = self->session_.failure();
        return self->execute(self->machine_->on_connection_lost(fe ? d.describe(fe) : d.describe(ec)));
      }
      self->feed_event(m, self->sub_.last_gap() > 0);
      self->next_event();
    });
  }

  void schedule_poll() {
    if (finished_ || opt_.poll_interval <= Clock::duration::zero()) return;
    poll_timer_.expires_after(opt_.poll_interval);
    poll_timer_.async_wait([self = shared_from_this()](qmp::error_code ec) {
      if (ec || self->finished_) return;
      self->session_.async_execute("query-block-jobs", "", [self](qmp::error_code qec, qmp::Reply r) {
        if (self->finished_) return;
        if (!qec) {
          self->execute(self->machine_->on_poll(r.value(), r.seq(), r.message.time()));
        } else if (qec != boost::asio::error::operation_aborted) {
          self->execute(self->machine_->on_poll_failed(qec, r));
        }
        self->schedule_poll();
      });
    });
  }

  // --- the end ---

  void complete(qmp::error_code ec, std::string what, std::optional<Outcome> outcome = std::nullopt) {
    qmp::Diagnostics d;
    d.what = std::move(what);
    complete(ec, std::move(d), outcome);
  }
  void complete(qmp::error_code ec, qmp::Diagnostics diagnostics, std::optional<Outcome> outcome = std::nullopt) {
    if (finished_) return;
    finished_ = true;
    for (auto& t : timers_) t.cancel();
    poll_timer_.cancel();
    sub_.close();
    if (outcome) result_.outcome = *outcome;
    result_.diagnostics = std::move(diagnostics);
    if (machine_) {
      result_.len = machine_->len();
      result_.offset = machine_->offset();
      result_.error_events = machine_->error_events();
      result_.resumes = machine_->resumes();
      result_.status = machine_->status();
      result_.abort_sent = machine_->cancel_sent();
      result_.done_ms = std::chrono::duration<double, std::milli>(Clock::now() - start_time_).count();
    }
    if (!handler_) return;
    if (slot_.is_connected()) slot_.clear();
    asio::post(ex_, [h = std::move(*handler_), ec, r = result_]() mutable { std::move(h)(ec, std::move(r)); });
    handler_.reset();
  }

  qmp::Session& session_;
  JobOptions opt_;
  asio::any_io_executor ex_;
  StartCommand start_command_;
  std::optional<JobStateMachine> machine_;
  qmp::Subscription sub_;
  bool waiting_event_ = false;
  bool finished_ = false;
  bool abort_requested_ = false;
  std::optional<asio::any_completion_handler<RunSignature>> handler_;
  asio::cancellation_slot slot_;
  std::array<asio::steady_timer, 4> timers_;
  std::array<std::uint64_t, 4> timer_gen_{};
  asio::steady_timer poll_timer_;
  ProgressMeter meter_;
  Clock::time_point start_time_{};
  std::optional<Clock::time_point> ready_signal_;
  JobResult result_;
};

}  // namespace detail

BlockJob::BlockJob(qmp::Session& session, JobOptions options)
    : session_(session), options_(std::move(options)) {}

BlockJob::~BlockJob() = default;

void BlockJob::start_run(boost::asio::any_completion_handler<RunSignature> h) {
  if (run_) {
    boost::asio::post(session_.get_executor(), [h = std::move(h)]() mutable {
      std::move(h)(make_error_code(errc::invalid_options), JobResult{});
    });
    return;
  }
  run_ = std::make_shared<detail::JobRun>(session_, options_);
  run_->start(std::move(h));
}

std::optional<std::string> BlockJob::request(Request r) {
  if (!run_) return std::string("the job was not started");
  return run_->request(r);
}

void BlockJob::abandon() {
  if (run_) run_->abandon();
}

JobStatus BlockJob::status() const noexcept { return run_ ? run_->status() : JobStatus::unknown; }
bool BlockJob::ready() const noexcept { return run_ && run_->ready(); }

}  // namespace mirror
