// The one rule behind every completion qmpc sends: a job is completed (pivoted, or soft-cancelled) only once the
// job itself said it is ready — status ready or standby (ready:true in query-block-jobs before QEMU 2.12) — and
// no I/O error stopped it. offset == len is not ready. No I/O.
#pragma once

#include "mirror/job_snapshot.hpp"
#include "mirror/job_status.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mirror {

// "refusing to complete job 'job0': it is not ready (status 'running'); only QEMU's ready signal allows it, ..."
std::string not_ready_refusal(std::string_view job_id, std::string_view verb, std::string_view status);
// "refusing to complete job 'job0': it is stopped by an I/O error (...)"
std::string error_stop_refusal(std::string_view job_id, std::string_view verb);

// For a job known only from queries (`qmpc job complete`): nullopt when it may be completed now, else why not,
// with QEMU's status in the words. `jobs` is its query-jobs entry (nullopt before QEMU 2.12), `block_jobs` its
// query-block-jobs entry (nullopt for a job that is not a block job).
std::optional<std::string> completion_refusal(std::string_view job_id, std::string_view verb,
                                              const std::optional<JobSnapshot>& jobs,
                                              const std::optional<JobSnapshot>& block_jobs);

}  // namespace mirror
