#include "mirror/job_state_machine.hpp"

#include "mirror/ready_rule.hpp"

#include <qmp/json.hpp>

#include <utility>

namespace mirror {

namespace json = qmp::json;

namespace {

// The "return" member of a reply that succeeded, or nullptr.
const json::Value* returned(const qmp::error_code& ec, const qmp::Reply& reply) {
  return !ec && reply.message.valid() ? reply.message.result() : nullptr;
}

// The command failed without QEMU's word on it: the connection went, or no reply came in time.
bool transport_failure(const qmp::error_code& ec) { return ec && qmp::kind_of(ec) != qmp::error_kind::qmp; }

}  // namespace

JobStateMachine::JobStateMachine(JobConfig config) : config_(std::move(config)) {}

// ---------------------------------------------------------------------------------------------------------------
// Inputs

Actions JobStateMachine::start() {
  Actions out;
  if (start_ != StartState::not_sent) return out;
  start_ = StartState::sent;
  out.push_back(SendCommand{Command::start, config_.start_command, config_.start_arguments});
  if (config_.end_mode != EndMode::detach)
    out.push_back(ArmTimer{has_ready_phase(config_.kind) ? Timer::ready : Timer::completion});
  return out;
}

Actions JobStateMachine::attach() {
  Actions out;
  if (start_ != StartState::not_sent) return out;
  // The job runs already: nothing of what follows may belong to another job, so it counts as started.
  start_ = StartState::ok;
  attaching_ = true;
  send(Command::query_jobs, out);
  send(Command::query_block_jobs, out);
  if (config_.end_mode != EndMode::detach)
    out.push_back(ArmTimer{has_ready_phase(config_.kind) ? Timer::ready : Timer::completion});
  return out;
}

Actions JobStateMachine::on_event(const qmp::Message& m) {
  Actions out;
  if (done() || !m.is_event()) return out;
  const std::string_view name = m.event_name();
  const json::Value* data = m.data();

  if (name == "SHUTDOWN") {
    // QEMU cancels every job on its way out; remember why for the cancelled job's error text.
    shutdown_reason_ = data ? std::string(json::get_string(*data, "reason").value_or("unknown")) : "unknown";
    return out;
  }
  if (!data) return out;

  // JOB_STATUS_CHANGE and BLOCK_JOB_PENDING name the job "id"; the other BLOCK_JOB_* events name it "device".
  const bool by_id = name == "JOB_STATUS_CHANGE" || name == "BLOCK_JOB_PENDING";
  if (!by_id && name.substr(0, 10) != "BLOCK_JOB_") return out;
  if (json::get_string(*data, by_id ? "id" : "device") != config_.job_id) return out;

  // An event read before the last query reply but handed over after it must not move the status back. It may
  // also be newer than the reply (QEMU can write a reply after events that followed its computation): a status
  // the reply's cannot lead back to is older, one it leads to is taken.
  const bool older = m.seq() != 0 && m.seq() < snapshot_seq_;
  if (m.seq() > last_event_seq_) last_event_seq_ = m.seq();
  if (auto off = json::get_uint(*data, "offset")) offset_ = *off;
  if (auto len = json::get_uint(*data, "len")) len_ = *len;

  if (name == "JOB_STATUS_CHANGE") {
    status_events_ = true;
    auto st = parse_job_status(json::get_string(*data, "status").value_or(""));
    if (!st) return out;
    if (*st == JobStatus::ready) on_ready_signal("JOB_STATUS_CHANGE", m.time(), out);
    if (!older || can_reach(status_, *st)) {
      standby_unverified_ = false;
      set_status(*st, out);
    }
  } else if (name == "BLOCK_JOB_READY") {
    on_ready_signal("BLOCK_JOB_READY", m.time(), out);
    // Normally JOB_STATUS_CHANGE ready came first; without it, the status is ready now.
    if (status_ == JobStatus::unknown || status_ == JobStatus::created || status_ == JobStatus::running)
      set_status(JobStatus::ready, out);
  } else if (name == "BLOCK_JOB_ERROR") {
    ++error_events_;
    std::string op(json::get_string(*data, "operation").value_or(""));
    std::string action(json::get_string(*data, "action").value_or(""));
    if (action == "ignore") {
      // QEMU does not rate-limit these (thousands per second on a permanent error): count, report the first.
      if (++ignored_errors_ == 1) out.push_back(JobErrorReported{op, action, error_events_});
      if (last_error_action_ != action || last_error_operation_ != op) {
        last_error_action_ = std::move(action);
        last_error_operation_ = std::move(op);
      }
      return out;
    }
    out.push_back(JobErrorReported{op, action, error_events_});
    if (action == "stop" || action == "enospc") awaiting_error_stop_ = true;
    last_error_operation_ = std::move(op);
    last_error_action_ = std::move(action);
    // A stop is followed by JOB_STATUS_CHANGE paused (or standby once ready); if the job is already in it,
    // this is the stop. QEMU before 2.12 sends no JOB_STATUS_CHANGE: its job is paused when the event is sent, so
    // the event is the stop.
    if (awaiting_error_stop_ && !older &&
        (status_ == JobStatus::paused || status_ == JobStatus::standby || !status_events_))
      error_stop_detected(out);
  } else if (name == "BLOCK_JOB_PENDING") {
    if (can_reach(status_, JobStatus::pending)) set_status(JobStatus::pending, out);
  } else if (name == "BLOCK_JOB_COMPLETED") {
    std::optional<std::string> error;
    if (auto e = json::get_string(*data, "error")) error = std::string(*e);
    set_terminal_from_completed(error);
    out.push_back(DisarmTimer{Timer::ready});
    // QEMU before 2.12 sends no JOB_STATUS_CHANGE (from 2.12 on, created and running always come before the
    // start reply, so before any end): its job is gone with its terminal event, there is no concluded status.
    if (!status_events_) gone_ = true;
  } else if (name == "BLOCK_JOB_CANCELLED") {
    if (!terminal_) terminal_ = Terminal{Outcome::cancelled, {}};
    out.push_back(DisarmTimer{Timer::ready});
    if (!status_events_) gone_ = true;
  }
  maybe_finish(out);
  return out;
}

Actions JobStateMachine::on_reply(Command command, const qmp::error_code& ec, const qmp::Reply& reply) {
  Actions out;
  if (done()) return out;
  if (transport_failure(ec)) {
    finish(Outcome::unknown, "connection to QEMU lost: " + reply.diagnostics.describe(ec), out);
    return out;
  }
  const bool ok = !ec;
  const std::string& desc = reply.diagnostics.text();
  const json::Value* value = returned(ec, reply);

  switch (command) {
    case Command::start:
      if (start_ != StartState::sent) break;
      if (!ok) {
        start_ = StartState::failed;
        // Events seen so far (JOB_STATUS_CHANGE created -> null of a job that could not be set up, or those of
        // another job with the same id) do not matter: QEMU's words say why.
        finish(Outcome::start_failed, reply.diagnostics, out);
        break;
      }
      start_ = StartState::ok;
      if (abort_pending_) {
        abort_pending_ = false;
        abort_job({}, out);
      }
      if (config_.end_mode == EndMode::detach && !terminal_ && !gone_ && !cancel_sent_) {
        finish(Outcome::detached, qmp::Diagnostics{}, out);
        break;
      }
      maybe_report_ready(out);
      maybe_finalize(out);
      maybe_dismiss(out);
      maybe_finish(out);
      break;

    case Command::complete:
      if (ok || terminal_ || gone_) break;
      complete_sent_ = false;
      // QEMU 5.2 accepts complete only in ready ("Job 'job0' in state 'standby' cannot accept command verb
      // 'complete'"; later versions take it in standby and act on resume): try again once it is ready.
      if (status_ == JobStatus::standby) {
        complete_retry_ = true;
        break;
      }
      abort_job("job-complete was refused: " + desc, out);
      break;

    case Command::finish:
      if (ok || terminal_ || gone_) break;
      finish_sent_ = false;
      // QEMU refuses a soft cancel while the job is paused ("The block job for device 'job0' is currently
      // paused"); the job keeps its data, so try again once it runs (JOB_STATUS_CHANGE ready).
      if (status_ == JobStatus::standby || status_ == JobStatus::paused) {
        finish_retry_ = true;
        break;
      }
      abort_job("block-job-cancel was refused: " + desc, out);
      break;

    case Command::cancel:
    case Command::force_cancel:
      if (ok || terminal_ || gone_) break;
      if (reply.diagnostics.qmp_class == "DeviceNotActive") {  // "Block job 'job0' not found": it is gone already
        on_job_gone(out);
        break;
      }
      // The abort deadline decides when to stop waiting.
      if (abort_reason_.empty()) abort_reason_ = "block-job-cancel was refused: " + desc;
      break;

    case Command::finalize:
      if (ok || terminal_ || gone_) break;
      abort_job("job-finalize was refused: " + desc, out);
      break;

    case Command::dismiss:
      if (ok) break;
      // The job stays listed as concluded; its outcome is known, so the result stands.
      gone_ = true;
      maybe_finish(out);
      break;

    case Command::resume:
      if (ok || terminal_ || gone_) break;
      if (desc.find("not paused") != std::string::npos) break;  // already running again
      abort_job("resume was refused: " + desc, out);
      break;

    case Command::query_jobs:
    case Command::query_block_jobs: {
      const JobQuery q = command == Command::query_jobs ? JobQuery::query_jobs : JobQuery::query_block_jobs;
      // query-jobs exists from QEMU 2.12 on, as JOB_STATUS_CHANGE does: the job's status events will come.
      if (q == JobQuery::query_jobs && ok) status_events_ = true;
      if (attaching_ && !(q == JobQuery::query_jobs && !ok)) {
        std::optional<JobSnapshot> found;
        if (value) found = find_job(*value, q, config_.job_id);
        if (!attach_check(found, q, out)) break;
      }
      if (!value) {
        if (q == JobQuery::query_block_jobs && inspecting_error_) {
          inspecting_error_ = false;
          apply_error_policy("", out);
        }
        if (q == JobQuery::query_block_jobs) on_query_failed(ec, reply, out);
        break;
      }
      if (q == JobQuery::query_block_jobs) query_failures_ = 0;
      auto snap = find_job(*value, q, config_.job_id);
      if (snap) {
        apply_snapshot(*snap, reply.message.seq(), reply.message.time(), out);
      } else if (q == JobQuery::query_jobs) {
        // query-jobs lists every job, concluded ones included: absence means it is gone.
        if (start_ == StartState::ok) on_job_gone(out);
      } else {
        inspecting_error_ = false;
        on_unlisted(out);
      }
      break;
    }
  }
  return out;
}

Actions JobStateMachine::on_poll(const json::Value& query_block_jobs_return, std::uint64_t /*seq*/,
                                 qmp::Clock::time_point /*time*/) {
  Actions out;
  if (done()) return out;
  query_failures_ = 0;
  auto snap = find_job(query_block_jobs_return, JobQuery::query_block_jobs, config_.job_id);
  if (!snap) {
    on_unlisted(out);
    return out;
  }
  if (start_ == StartState::ok) unlisted_ = 0;
  // A poll is progress only. Its status is never newer than the events: every status change QEMU made before
  // computing the reply was sent before it, and one made after may be sent before it too (QEMU computes a
  // reply in a bottom half and writes it when the monitor's coroutine runs again). Taking a poll's status could
  // move the job back, e.g. from ready to running.
  if (snap->offset) offset_ = *snap->offset;
  if (snap->len) len_ = *snap->len;
  if (snap->speed) speed_ = *snap->speed;
  out.push_back(Progress{offset_, len_, speed_, ready_reported_});
  return out;
}

Actions JobStateMachine::on_poll_failed(const qmp::error_code& ec, const qmp::Reply& reply) {
  Actions out;
  if (!done()) on_query_failed(ec, reply, out);
  return out;
}

Actions JobStateMachine::resync() {
  Actions out;
  if (done()) return out;
  send(Command::query_jobs, out);
  send(Command::query_block_jobs, out);
  return out;
}

Actions JobStateMachine::request(Request r) {
  Actions out;
  if (done()) {
    out.push_back(Refused{r, "the job already ended"});
    return out;
  }
  switch (r) {
    case Request::pivot:
    case Request::finish:
      if (auto why = pivot_refusal(r == Request::pivot ? "complete" : "finish")) {
        out.push_back(Refused{r, *why});
        break;
      }
      if (r == Request::pivot)
        send_complete(out);
      else
        send_finish(out);
      ready_acted_ = true;
      break;
    case Request::abort:
      if (cancel_sent_ && (force_sent_ || !ready_signal_)) {
        out.push_back(Refused{r, "the job is already being cancelled"});
        break;
      }
      abort_requested_ = true;
      abort_job({}, out);
      break;
    case Request::wait_ready:
      if (!has_ready_phase(config_.kind)) {
        out.push_back(Refused{r, "job '" + config_.job_id + "' is a " + to_string(config_.kind) +
                                     " job: it has no ready phase"});
        break;
      }
      config_.end_mode = EndMode::wait_ready;
      if (ready_reported_ && !ready_acted_) {
        ready_acted_ = true;
        finish(Outcome::ready, qmp::Diagnostics{}, out);
      } else if (ready_reported_) {
        out.push_back(Refused{r, "the job is already past ready"});
      }
      break;
  }
  return out;
}

Actions JobStateMachine::on_deadline(Timer t) {
  Actions out;
  if (done()) return out;
  switch (t) {
    case Timer::ready:
      if (ready_signal_ || terminal_) break;
      deadline_fired_ = Timer::ready;
      abort_job("the job did not become ready before the ready deadline", out);
      break;
    case Timer::completion:
      if (terminal_) break;
      deadline_fired_ = Timer::completion;
      abort_job("the job did not complete before the completion deadline", out);
      break;
    case Timer::soft_cancel:
      if (terminal_ || force_sent_) break;
      // A soft cancel waits for source and target to converge, which a job retrying a permanent error never
      // does. Cancel with force: the source stays active either way.
      abort_reason_ = "the soft cancel (finish) did not end the job in time; it was cancelled with force";
      cancel_sent_ = false;
      abort_job(abort_reason_, out);
      break;
    case Timer::abort: {
      if (terminal_ && gone_) break;
      // The deadline that led to the cancel (ready, completion) stays the one reported.
      if (!deadline_fired_) deadline_fired_ = Timer::abort;
      if (terminal_) {  // its end was seen; QEMU only did not say it is gone
        gone_ = true;
        maybe_finish(out);
        break;
      }
      const std::string why = abort_reason_.empty() ? std::string("cancel requested") : abort_reason_;
      if (start_ == StartState::sent) {
        finish(Outcome::unknown,
               why + "; QEMU did not answer " + config_.start_command + ", so no cancel was sent: job '" +
                   config_.job_id + "' may still be started",
               out);
        break;
      }
      finish(Outcome::unknown,
             why + "; the job did not end after block-job-cancel (status " + to_string(status_) + ")", out);
      break;
    }
  }
  return out;
}

Actions JobStateMachine::on_connection_lost(std::string_view desc) {
  Actions out;
  if (done()) return out;
  finish(Outcome::unknown, "connection to QEMU lost: " + std::string(desc), out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Internals

void JobStateMachine::set_status(JobStatus s, Actions& out) {
  if (s == status_) return;
  const JobStatus from = status_;
  status_ = s;
  out.push_back(StatusChanged{from, s});

  switch (s) {
    case JobStatus::running:
      paused_by_error_ = false;
      awaiting_error_stop_ = false;
      break;
    case JobStatus::ready:
      // Back from standby: a drain blip, a resume after a pause, or the end of an error stop after ready.
      if (paused_by_error_) {
        paused_by_error_ = false;
        awaiting_error_stop_ = false;
      }
      if (finish_retry_ && !finish_sent_) {
        finish_retry_ = false;
        send_finish(out);
      }
      if (complete_retry_ && !complete_sent_) {
        complete_retry_ = false;
        complete_sent_ = true;
        send(Command::complete, out);  // the completion deadline runs from the first attempt
      }
      maybe_act_on_ready(out);
      break;
    case JobStatus::paused:
    case JobStatus::standby:
      if (awaiting_error_stop_) error_stop_detected(out);
      break;
    case JobStatus::pending:
      maybe_finalize(out);
      break;
    case JobStatus::concluded:
      if (!terminal_ && !config_.auto_dismiss && start_ == StartState::ok) {
        // The terminal event was missed; query-jobs has the job's error before we dismiss it.
        send(Command::query_jobs, out);
        break;
      }
      maybe_dismiss(out);
      break;
    case JobStatus::null:
      on_job_gone(out);
      break;
    default:
      break;
  }
}

void JobStateMachine::on_ready_signal(std::string_view source, qmp::Clock::time_point time, Actions& out) {
  if (!ready_signal_) {
    ready_signal_ = true;
    ready_time_ = time;
    ready_source_ = std::string(source);
  }
  maybe_report_ready(out);
}

void JobStateMachine::maybe_report_ready(Actions& out) {
  if (ready_reported_ || !ready_signal_ || start_ != StartState::ok || done()) return;
  // The job was ready, but its end already came: nothing to report or do.
  if (terminal_ || gone_) return;
  ready_reported_ = true;
  out.push_back(ReadyReached{ready_time_.value_or(qmp::Clock::time_point{}), ready_source_});
  out.push_back(DisarmTimer{Timer::ready});
  maybe_act_on_ready(out);
}

void JobStateMachine::maybe_act_on_ready(Actions& out) {
  if (ready_acted_ || !ready_reported_ || paused_by_error_ || done() || terminal_ || cancel_sent_) return;
  // In standby (paused or drained while ready) QEMU accepts complete and acts on resume; a soft cancel refused
  // there is retried on the next ready.
  if (!is_ready_status(status_)) return;
  // query-jobs does not say whether a standby is an error stop; query-block-jobs (sent with it) will.
  if (status_ == JobStatus::standby && standby_unverified_) return;
  ready_acted_ = true;
  EndMode mode = config_.end_mode;
  // A kind without a ready phase is never completed nor soft-cancelled as a finish, whatever end mode it was given
  // (the command line refuses such pairs; the machine does not rely on it): its ready is reported as for run.
  if (!has_ready_phase(config_.kind) && (mode == EndMode::pivot || mode == EndMode::finish)) mode = EndMode::run;
  switch (mode) {
    case EndMode::pivot: send_complete(out); break;
    case EndMode::finish: send_finish(out); break;
    case EndMode::abort:
      abort_requested_ = true;
      abort_job({}, out);
      break;
    case EndMode::wait_ready: finish(Outcome::ready, qmp::Diagnostics{}, out); break;
    case EndMode::run:
      // Told it ends by itself, but it waits to be completed: a job with a ready phase (an active commit whose top
      // was taken for a lower layer). Say so instead of waiting forever; the job is left ready.
      finish(Outcome::ready,
             "job '" + config_.job_id + "' reported ready: it has a ready phase and will not end by itself; "
             "complete or cancel it",
             out);
      break;
    case EndMode::detach:
    case EndMode::manual: break;
  }
}

void JobStateMachine::maybe_finalize(Actions& out) {
  if (config_.auto_finalize || finalize_sent_ || status_ != JobStatus::pending || start_ != StartState::ok) return;
  finalize_sent_ = true;
  send(Command::finalize, out);
}

void JobStateMachine::maybe_dismiss(Actions& out) {
  if (config_.auto_dismiss || dismiss_sent_ || status_ != JobStatus::concluded || start_ != StartState::ok) return;
  if (!terminal_) return;
  dismiss_sent_ = true;
  send(Command::dismiss, out);
}

void JobStateMachine::maybe_finish(Actions& out) {
  if (done() || start_ != StartState::ok || !gone_) return;
  if (!terminal_) {
    finish(Outcome::unknown,
           "job '" + config_.job_id + "' is gone and its end was not seen (events were lost); its outcome is unknown",
           out);
    return;
  }
  std::string error = terminal_->error;
  if (terminal_->outcome == Outcome::cancelled && error.empty() && !abort_requested_) {
    if (!abort_reason_.empty())
      error = abort_reason_;
    else if (!shutdown_reason_.empty())
      error = "QEMU shut down (" + shutdown_reason_ + ") and cancelled the job";
    else if (finish_sent_)
      error = "the soft cancel (finish) ended the job cancelled, not finished: the target is not a complete copy";
    else
      error = "the job was cancelled outside qmpc";
  }
  finish(terminal_->outcome, std::move(error), out);
}

void JobStateMachine::apply_snapshot(const JobSnapshot& s, std::uint64_t seq, qmp::Clock::time_point time,
                                     Actions& out) {
  if (seq > snapshot_seq_) snapshot_seq_ = seq;
  if (s.offset) offset_ = *s.offset;
  if (s.len) len_ = *s.len;
  if (s.speed) speed_ = *s.speed;
  // A job qmpc attached to was started with its own auto-finalize and auto-dismiss.
  if (s.auto_finalize) config_.auto_finalize = *s.auto_finalize;
  if (s.auto_dismiss) config_.auto_dismiss = *s.auto_dismiss;
  const char* source = s.source == JobQuery::query_jobs ? "query-jobs" : "query-block-jobs";

  // A reply read before an event that was already handed over is older than what the machine knows: its status
  // and io-status must not undo that event (e.g. a stop the job has since been resumed from). So is one whose
  // status cannot lead to the last one seen: QEMU may write a reply after events that followed its computation.
  const bool stale = (seq != 0 && seq < last_event_seq_) || (s.status && !can_reach(status_, *s.status));

  // A query's status ready/standby is the job's own word (standby is only reachable from ready).
  if (s.status && is_ready_status(*s.status) && !stale) on_ready_signal(source, time, out);

  if (s.source == JobQuery::query_block_jobs) {
    const bool stopped = s.stopped_by_error() && s.paused.value_or(false);
    if (stopped && (inspecting_error_ ? paused_by_error_ : (!paused_by_error_ && !stale))) {
      // ready:true with io-status failed is not healthy.
      inspecting_error_ = false;
      paused_by_error_ = true;
      awaiting_error_stop_ = false;
      if (s.status && !stale) status_ = *s.status;  // no StatusChanged: the event said it, or the policy acts now
      apply_error_policy(s.io_status, out);
    } else if (inspecting_error_) {
      inspecting_error_ = false;  // it runs again already
    }
  }

  if (s.status && *s.status == JobStatus::concluded && !terminal_) set_terminal_from_query(s.error);
  if (s.status && !stale) {
    standby_unverified_ = s.source == JobQuery::query_jobs && *s.status == JobStatus::standby;
    set_status(*s.status, out);
  }
  maybe_act_on_ready(out);
  maybe_finish(out);
}

void JobStateMachine::on_unlisted(Actions& out) {
  if (done() || start_ != StartState::ok) return;
  // query-block-jobs lists a job until it is gone (concluded ones included). Gone with its end seen: done.
  if (terminal_) return on_job_gone(out);
  // Its end event may still be on its way (read before this reply, not yet handed over); once a second reply in a
  // row does not list it either, the end was lost. Never claim an outcome that was not seen.
  if (++unlisted_ < 2) return;
  gone_ = true;
  status_ = JobStatus::null;
  finish(Outcome::unknown,
         "job '" + config_.job_id +
             "' is no longer listed by query-block-jobs and its end was not seen (events were lost); its outcome "
             "is unknown",
         out);
}

void JobStateMachine::on_query_failed(const qmp::error_code& ec, const qmp::Reply& reply, Actions& out) {
  if (done() || ++query_failures_ < kMaxQueryFailures) return;
  const std::string what = transport_failure(ec) ? "query-block-jobs failed (" + reply.diagnostics.describe(ec) + ")"
                                                 : "QEMU refused query-block-jobs (" + reply.diagnostics.describe(ec) + ")";
  abort_job(what + " " + std::to_string(query_failures_) +
                " times in a row; QEMU answers it in every state, so the monitor does not behave as QEMU does",
            out);
}

bool JobStateMachine::attach_check(const std::optional<JobSnapshot>& s, JobQuery q, Actions& out) {
  const std::string job = "job '" + config_.job_id + "'";
  if (!s) {
    finish(Outcome::start_failed,
           "QEMU has no " + job + " (" + (q == JobQuery::query_jobs ? "query-jobs" : "query-block-jobs") +
               " does not list it)",
           out);
    return false;
  }
  attaching_ = false;
  if (!s->type.empty() && s->type != qemu_job_type(config_.kind)) {
    finish(Outcome::start_failed,
           job + " is a " + s->type + " job, not a " + qemu_job_type(config_.kind) + " job", out);
    return false;
  }
  return true;
}

void JobStateMachine::on_job_gone(Actions& out) {
  gone_ = true;
  if (status_ != JobStatus::null) status_ = JobStatus::null;
  maybe_finish(out);
}

void JobStateMachine::error_stop_detected(Actions& out) {
  awaiting_error_stop_ = false;
  if (paused_by_error_ || inspecting_error_) return;
  paused_by_error_ = true;
  // BLOCK_JOB_ERROR does not say why; io-status does ("failed" or "nospace").
  inspecting_error_ = true;
  send(Command::query_block_jobs, out);
}

void JobStateMachine::apply_error_policy(std::string_view io_status, Actions& out) {
  if (done() || terminal_ || cancel_sent_) return;
  std::string what = io_status == "nospace" ? "no space left on device"
                     : io_status == "failed" ? "I/O error"
                                             : "I/O error (io-status unknown)";
  std::string op = last_error_operation_.empty() ? "an" : "a " + last_error_operation_;
  std::string message = "QEMU stopped job '" + config_.job_id + "' on " + op + " error: " + what +
                        " (BLOCK_JOB_ERROR operation=" + last_error_operation_ + " action=" + last_error_action_ +
                        ", io-status " + (io_status.empty() ? "?" : std::string(io_status)) + ")";
  const bool resume = resumes_ < config_.max_resumes;
  out.push_back(PausedByError{last_error_operation_, last_error_action_, std::string(io_status), message, resume});
  if (resume) {
    ++resumes_;
    send(Command::resume, out);
  } else {
    abort_job(message + "; the error policy allows " + std::to_string(config_.max_resumes) + " resume(s)", out);
  }
}

void JobStateMachine::set_terminal_from_completed(const std::optional<std::string>& error) {
  if (terminal_) return;
  if (error) {
    terminal_ = Terminal{Outcome::failed, *error};
  } else if (!has_ready_phase(config_.kind) && !ready_signal_) {
    terminal_ = Terminal{Outcome::completed, {}};
  } else if (finish_sent_) {
    terminal_ = Terminal{Outcome::finished, {}};
  } else if (!complete_sent_ && !shutdown_reason_.empty()) {
    // QEMU 5.2 ends a ready mirror at quit with a soft cancel (7.2 forces it): completed, but nothing pivoted.
    terminal_ = Terminal{Outcome::cancelled, {}};
  } else {
    terminal_ = Terminal{Outcome::pivoted, {}};
  }
}

void JobStateMachine::set_terminal_from_query(const std::optional<std::string>& error) {
  if (terminal_) return;
  // query-jobs reports a cancelled job with the error "Operation canceled".
  if (error && *error == "Operation canceled")
    terminal_ = Terminal{Outcome::cancelled, {}};
  else
    set_terminal_from_completed(error);
}

// --- commands ---

void JobStateMachine::send(Command c, Actions& out) {
  const std::string& id = config_.job_id;
  const bool jobs = config_.job_commands;
  switch (c) {
    case Command::start:
      out.push_back(SendCommand{c, config_.start_command, config_.start_arguments});
      return;
    case Command::complete:
      out.push_back(jobs ? SendCommand{c, "job-complete", json::Object().add("id", id).str()}
                         : SendCommand{c, "block-job-complete", json::Object().add("device", id).str()});
      return;
    case Command::finish:
    case Command::cancel:
      out.push_back(SendCommand{c, "block-job-cancel", json::Object().add("device", id).str()});
      return;
    case Command::force_cancel:
      out.push_back(
          SendCommand{c, "block-job-cancel", json::Object().add("device", id).add("force", true).str()});
      return;
    case Command::finalize:
      out.push_back(SendCommand{c, jobs ? "job-finalize" : "block-job-finalize", json::Object().add("id", id).str()});
      return;
    case Command::dismiss:
      out.push_back(SendCommand{c, jobs ? "job-dismiss" : "block-job-dismiss", json::Object().add("id", id).str()});
      return;
    case Command::resume:
      out.push_back(jobs ? SendCommand{c, "job-resume", json::Object().add("id", id).str()}
                         : SendCommand{c, "block-job-resume", json::Object().add("device", id).str()});
      return;
    case Command::query_jobs:
      out.push_back(SendCommand{c, "query-jobs", {}});
      return;
    case Command::query_block_jobs:
      out.push_back(SendCommand{c, "query-block-jobs", {}});
      return;
  }
}

void JobStateMachine::send_complete(Actions& out) {
  complete_sent_ = true;
  send(Command::complete, out);
  out.push_back(ArmTimer{Timer::completion});
}

void JobStateMachine::send_finish(Actions& out) {
  const bool first = !finish_retry_ && !finish_sent_;
  finish_sent_ = true;
  send(Command::finish, out);
  if (first) {
    out.push_back(ArmTimer{Timer::completion});
    out.push_back(ArmTimer{Timer::soft_cancel});
  }
}

void JobStateMachine::abort_job(std::string reason, Actions& out) {
  if (done()) return;
  if (!reason.empty() && abort_reason_.empty()) abort_reason_ = std::move(reason);
  // Whatever happens next, the run ends within the abort deadline, counted from the first abort.
  if (!abort_armed_) {
    abort_armed_ = true;
    out.push_back(ArmTimer{Timer::abort});
  }
  if (terminal_ || gone_) return;  // its end was seen: nothing to cancel
  if (start_ == StartState::sent) {
    // Not before QEMU said the job started: the id may be another job's ("Job ID ... already in use").
    abort_pending_ = true;
    return;
  }
  // Before ready a plain cancel ends the job at once. After ready a plain cancel would be a soft cancel (finish),
  // so force is needed; a paused job refuses a plain cancel ("... is currently paused").
  const bool force = ready_signal_ || finish_sent_ || status_ == JobStatus::paused || status_ == JobStatus::standby;
  if (cancel_sent_ && (force_sent_ || !force)) return;
  cancel_sent_ = true;
  force_sent_ = force;
  out.push_back(DisarmTimer{Timer::ready});
  send(force ? Command::force_cancel : Command::cancel, out);
}

void JobStateMachine::finish(Outcome o, std::string what, Actions& out) {
  qmp::Diagnostics d;
  d.what = std::move(what);
  finish(o, std::move(d), out);
}

void JobStateMachine::finish(Outcome o, qmp::Diagnostics diagnostics, Actions& out) {
  if (done()) return;
  Finished f{o, std::move(diagnostics), deadline_fired_};
  result_ = f;
  out.push_back(std::move(f));
}

std::optional<std::string> JobStateMachine::pivot_refusal(std::string_view verb) const {
  const std::string job = "job '" + config_.job_id + "'";
  if (!has_ready_phase(config_.kind))
    return "refusing to " + std::string(verb) + " " + job + ": a " + to_string(config_.kind) +
           " job has no ready phase; it ends by itself";
  if (start_ != StartState::ok) return "refusing to " + std::string(verb) + " " + job + ": it has not started yet";
  if (terminal_ || gone_) return job + " already ended";
  if (complete_sent_ || finish_sent_ || cancel_sent_)
    return "refusing to " + std::string(verb) + " " + job + ": a completion or cancel is already under way";
  if (!ready_reported_ || !is_ready_status(status_)) return not_ready_refusal(config_.job_id, verb, to_string(status_));
  if (paused_by_error_) return error_stop_refusal(config_.job_id, verb);
  return std::nullopt;
}

}  // namespace mirror
