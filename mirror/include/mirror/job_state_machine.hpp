// The block job model of QEMU 7.2, without I/O: mirror, commit (active or not), stream and backup jobs.
//
// A job kind (mirror/job_kind.hpp) says whether the job has a ready phase. With one (mirror, active commit), the
// end mode decides what happens once it is ready; without one (commit, stream, backup), the job ends by itself
// and can only be cancelled: no complete is ever sent, and ready is never waited for.
//
// The runner feeds it what QEMU says (events, command replies, query results), what the caller asks (pivot,
// finish, abort, wait-ready) and which deadline expired; each call returns the actions to carry out, in order.
//
// Rules it enforces (docs/job-model.md explains them with the observed event orders):
//   - Ready comes only from the job itself: JOB_STATUS_CHANGE ready (the first signal, it precedes
//     BLOCK_JOB_READY), BLOCK_JOB_READY, or a query reporting status ready/standby. offset == len never means
//     ready. ready -> standby -> ready blips keep it ready; BLOCK_JOB_READY is not re-emitted.
//   - Nothing is sent, and ready is not reported, before the start command succeeded: events seen before its
//     reply may belong to another job with the same id (the start then fails with "Job ID ... already in use").
//   - The outcome comes only from the terminal event (BLOCK_JOB_COMPLETED with/without error,
//     BLOCK_JOB_CANCELLED) or, after lost events, from query-jobs' status and error.
//   - The result is final once the job is gone (JOB_STATUS_CHANGE null, absent from query-jobs, or absent from
//     query-block-jobs after its end; before QEMU 2.12, which has no JOB_STATUS_CHANGE, its terminal event);
//     with auto-finalize/auto-dismiss off, qmpc finalizes in pending and dismisses in concluded. Gone from two
//     query-block-jobs replies in a row without its end seen: the outcome is unknown.
//   - Errors are counted, never stored: an ignore flood of thousands of BLOCK_JOB_ERROR costs no memory.
//
// Events must be fed in wire order. A reply may be handed over before events that preceded it on the wire (they
// sit in the event subscription): that is an order QEMU produces itself (a reply among the job's events), and a
// query reply older than an event already fed, or an event older than a query reply, is recognised by its
// sequence number so that neither moves the status back. QEMU may also write a reply after events that followed
// its computation: a query's status is taken only when QEMU's transitions lead to it from the status last seen.
#pragma once

#include "mirror/job_actions.hpp"
#include "mirror/job_kind.hpp"
#include "mirror/job_snapshot.hpp"
#include "mirror/job_status.hpp"

#include <qmp/error.hpp>
#include <qmp/message.hpp>
#include <qmp/reply.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mirror {

struct JobConfig {
  std::string job_id = "job0";
  JobKind kind = JobKind::mirror;
  std::string start_command = "blockdev-mirror";  // or "drive-mirror", "block-commit", "block-stream", ...
  std::string start_arguments;                    // JSON object text, including "job-id"
  bool job_commands = true;   // QEMU offers job-complete/-resume/-finalize/-dismiss (query-commands)
  bool auto_finalize = true;  // as given to the start command
  bool auto_dismiss = true;
  EndMode end_mode = EndMode::pivot;
  unsigned max_resumes = 0;   // how many times a job stopped by an I/O error is resumed before qmpc aborts it
};

class JobStateMachine {
 public:
  explicit JobStateMachine(JobConfig config);

  // Sends the start command and arms the ready deadline (the completion deadline for a job without a ready phase).
  Actions start();
  // Instead of start(): takes over the running job `job_id` that someone else started (or a qmpc that is gone).
  // Learns its status from query-jobs and query-block-jobs, then follows the end mode as if it had started it. A
  // job QEMU does not list, or of another kind, ends the run with outcome start_failed.
  Actions attach();

  // An event from QEMU (any event: those of other jobs are ignored).
  Actions on_event(const qmp::Message& event);
  // The outcome of a command this machine asked for (SendCommand::command), as the session completed it: no error
  // and the reply; a QMP error (qmp::error_kind::qmp) and the error reply's class and desc in the diagnostics; or
  // another error (connection lost, no reply in time) described by the diagnostics.
  Actions on_reply(Command command, const qmp::error_code& ec, const qmp::Reply& reply);
  // A progress poll: the return value of query-block-jobs. Offset, len and speed only: neither readiness nor the
  // status comes from a poll (its reply may describe the job as it was before events read ahead of it).
  Actions on_poll(const qmp::json::Value& query_block_jobs_return, std::uint64_t seq = 0,
                  qmp::Clock::time_point time = {});
  // A progress poll that failed: QEMU refused query-block-jobs, or its reply did not come in time. QEMU answers
  // query-block-jobs in every state, so a monitor that fails it kMaxQueryFailures times in a row (polls and the
  // machine's own query-block-jobs together) is not behaving as QEMU does (a replayed transcript that diverged,
  // a monitor that stopped answering): the job is aborted, and the run ends within the abort deadline.
  Actions on_poll_failed(const qmp::error_code& ec, const qmp::Reply& reply);
  static constexpr unsigned kMaxQueryFailures = 2;
  // Asks for a resync (after a reconnect or a subscription gap): query-jobs and query-block-jobs.
  Actions resync();
  // The caller's request.
  Actions request(Request r);
  // A deadline armed earlier expired.
  Actions on_deadline(Timer t);
  // The connection to QEMU is gone: nothing more will be heard.
  Actions on_connection_lost(std::string_view desc);

  // --- state ---
  const JobConfig& config() const noexcept { return config_; }
  JobStatus status() const noexcept { return status_; }
  // The job said it is ready at some point (and the start command succeeded).
  bool ready() const noexcept { return ready_reported_; }
  // The job is stopped by an I/O error right now.
  bool paused_by_error() const noexcept { return paused_by_error_; }
  bool done() const noexcept { return result_.has_value(); }
  const std::optional<Finished>& result() const noexcept { return result_; }
  std::uint64_t offset() const noexcept { return offset_; }
  std::uint64_t len() const noexcept { return len_; }
  std::uint64_t error_events() const noexcept { return error_events_; }
  std::uint64_t ignored_errors() const noexcept { return ignored_errors_; }
  unsigned resumes() const noexcept { return resumes_; }
  // A cancel was sent, or asked for before the start reply.
  bool cancel_sent() const noexcept { return cancel_sent_ || abort_pending_; }
  std::optional<qmp::Clock::time_point> ready_signal_time() const noexcept { return ready_time_; }

 private:
  enum class StartState : std::uint8_t { not_sent, sent, ok, failed };
  struct Terminal {
    Outcome outcome;
    std::string error;
  };

  void set_status(JobStatus s, Actions& out);
  void on_ready_signal(std::string_view source, qmp::Clock::time_point time, Actions& out);
  void maybe_report_ready(Actions& out);
  void maybe_act_on_ready(Actions& out);
  void maybe_finalize(Actions& out);
  void maybe_dismiss(Actions& out);
  void maybe_finish(Actions& out);
  void apply_snapshot(const JobSnapshot& s, std::uint64_t seq, qmp::Clock::time_point time, Actions& out);
  void on_job_gone(Actions& out);
  bool attach_check(const std::optional<JobSnapshot>& s, JobQuery q, Actions& out);  // false: the run ended
  void on_unlisted(Actions& out);  // a query-block-jobs reply (poll or query) without the job
  void on_query_failed(const qmp::error_code& ec, const qmp::Reply& reply, Actions& out);  // query-block-jobs refused or unanswered
  void error_stop_detected(Actions& out);
  void apply_error_policy(std::string_view io_status, Actions& out);
  void set_terminal_from_completed(const std::optional<std::string>& error);
  void set_terminal_from_query(const std::optional<std::string>& error);

  void send(Command c, Actions& out);
  void send_complete(Actions& out);
  void send_finish(Actions& out);
  void abort_job(std::string reason, Actions& out);
  void finish(Outcome o, std::string what, Actions& out);
  void finish(Outcome o, qmp::Diagnostics diagnostics, Actions& out);
  std::optional<std::string> pivot_refusal(std::string_view verb) const;

  JobConfig config_;
  JobStatus status_ = JobStatus::unknown;
  StartState start_ = StartState::not_sent;

  bool ready_signal_ = false;    // the job said ready (possibly before the start reply)
  bool ready_reported_ = false;  // ReadyReached emitted
  bool ready_acted_ = false;     // the end mode's action was taken
  std::optional<qmp::Clock::time_point> ready_time_;
  std::string ready_source_;

  bool complete_sent_ = false;
  bool finish_sent_ = false;       // soft cancel in flight or accepted
  bool finish_retry_ = false;      // soft cancel refused while paused; retried on the next ready
  bool complete_retry_ = false;    // complete refused in standby (QEMU before 6.1); retried on the next ready
  bool cancel_sent_ = false;       // plain or forced cancel sent
  bool force_sent_ = false;
  bool abort_requested_ = false;   // by the caller
  bool abort_pending_ = false;     // an abort asked for before the start reply: cancel once the job started
  bool abort_armed_ = false;       // the abort deadline runs (from the first abort)
  std::string abort_reason_;       // qmpc's reason for aborting (deadline, error policy, failed command)
  std::optional<Timer> deadline_fired_;
  bool finalize_sent_ = false;
  bool dismiss_sent_ = false;

  bool awaiting_error_stop_ = false;  // a BLOCK_JOB_ERROR with action stop/enospc; the pause follows
  bool paused_by_error_ = false;
  bool inspecting_error_ = false;     // query-block-jobs sent to learn the io-status
  std::string last_error_operation_;
  std::string last_error_action_;
  std::uint64_t error_events_ = 0;
  std::uint64_t ignored_errors_ = 0;
  unsigned resumes_ = 0;

  std::string shutdown_reason_;
  std::optional<Terminal> terminal_;
  bool gone_ = false;
  bool status_events_ = false;  // QEMU sent a JOB_STATUS_CHANGE for the job (2.12 and later)
  bool attaching_ = false;      // attach(): the job has not been found in a query yet
  unsigned unlisted_ = 0;       // query-block-jobs replies in a row without the job
  unsigned query_failures_ = 0;  // query-block-jobs failures in a row (on_poll_failed, refused queries)
  bool standby_unverified_ = false;  // standby known only from query-jobs (no io-status)
  std::uint64_t snapshot_seq_ = 0;    // events older than the last query reply do not move the status back
  std::uint64_t last_event_seq_ = 0;  // nor does a query reply older than the last event

  std::uint64_t offset_ = 0, len_ = 0, speed_ = 0;
  std::optional<Finished> result_;
};

}  // namespace mirror
