// Runs one block job (mirror, commit, stream, backup) on a qmp::Session: the asio driver of mirror::JobStateMachine.
//
//   caller --async_run--> BlockJob ---- commands ----> Session ----> QEMU
//                            |  ^                          |
//                            |  +---- events (subscribed before the start command), replies, polls
//                            v
//                      JobStateMachine: decides every command, report and deadline
//
// The runner subscribes to the job events before it writes the start command (or, attaching to a running job, its
// queries), asks query-commands once whether
// QEMU has job-complete & co (unless told), feeds every event, reply, poll and expired deadline to the state
// machine and carries out the actions it returns. When the subscription reports a gap (events dropped) it
// resyncs with query-jobs and query-block-jobs. All calls must be made on the session's executor.
#pragma once

#include "mirror/error.hpp"
#include "mirror/job_actions.hpp"
#include "mirror/job_options.hpp"

#include <qmp/session.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <memory>
#include <optional>
#include <string>

namespace mirror {

namespace detail {
class JobRun;
}

using RunSignature = void(error_code, JobResult);

class BlockJob {
 public:
  // `session` must outlive the run.
  BlockJob(qmp::Session& session, JobOptions options);
  BlockJob(const BlockJob&) = delete;
  BlockJob& operator=(const BlockJob&) = delete;
  ~BlockJob();  // a run still in progress goes on until the job ends; its handler is still called

  // Starts the job and completes when it ended as far as the end mode goes (pivoted, finished, cancelled, ready,
  // detached) or failed. The error code is success when the outcome is the one asked for; otherwise a
  // mirror::errc (or a qmp error when QEMU could not be asked at all), with the details in
  // JobResult::diagnostics.
  // One run per BlockJob. Cancelling it (the token's cancellation slot) aborts the job; the run still completes
  // only when the job ended, with ec success and outcome cancelled.
  // A BlockJob neither moves nor copies, so the operation may hold it.
  template <typename Token = qmp::default_token_t<boost::asio::any_io_executor>>
  auto async_run(Token&& token = Token()) {
    return boost::asio::async_initiate<Token, RunSignature>(
        [this](boost::asio::any_completion_handler<RunSignature> h) { start_run(std::move(h)); }, token);
  }

  // While running: ask for a pivot, finish, abort or wait-ready now. Returns why qmpc refused (nothing is sent
  // then), e.g. a pivot before the job is ready.
  std::optional<std::string> request(Request r);

  // While running: stop following the job at once and leave it in QEMU as it is (nothing more is sent or waited
  // for). The run completes with errc::abandoned; its result holds the last status seen. For a caller that must
  // exit now, e.g. on a second interrupt while an abort is under way.
  void abandon();

  JobStatus status() const noexcept;
  bool ready() const noexcept;  // the job said it is ready
  const JobOptions& options() const noexcept { return options_; }

 private:
  void start_run(boost::asio::any_completion_handler<RunSignature> h);
  qmp::Session& session_;
  JobOptions options_;
  std::shared_ptr<detail::JobRun> run_;
};

}  // namespace mirror
