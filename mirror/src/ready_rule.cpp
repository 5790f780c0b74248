#include "mirror/ready_rule.hpp"

namespace mirror {

std::string not_ready_refusal(std::string_view job_id, std::string_view verb, std::string_view status) {
  return "refusing to " + std::string(verb) + " job '" + std::string(job_id) + "': it is not ready (status '" +
         std::string(status) + "'); only QEMU's ready signal allows it, whatever the progress says";
}

std::string error_stop_refusal(std::string_view job_id, std::string_view verb) {
  return "refusing to " + std::string(verb) + " job '" + std::string(job_id) +
         "': it is stopped by an I/O error (ready:true with a failed io-status is not healthy)";
}

std::optional<std::string> completion_refusal(std::string_view job_id, std::string_view verb,
                                              const std::optional<JobSnapshot>& jobs,
                                              const std::optional<JobSnapshot>& block_jobs) {
  if (!jobs && !block_jobs) return "QEMU has no job '" + std::string(job_id) + "'";
  // query-jobs' status first; before QEMU 2.12 only query-block-jobs' ready flag (and no status) exists.
  std::optional<JobStatus> status;
  if (jobs && jobs->status) {
    status = jobs->status;
  } else if (block_jobs) {
    status = block_jobs->status;
  }
  bool ready = status ? is_ready_status(*status) : false;
  if (!status && block_jobs && block_jobs->ready) ready = *block_jobs->ready;
  if (!ready) {
    const std::string shown = status ? to_string(*status)
                              : block_jobs && block_jobs->ready ? std::string("ready:false")
                                                                : std::string("unknown");
    return not_ready_refusal(job_id, verb, shown);
  }
  if (block_jobs && block_jobs->stopped_by_error()) return error_stop_refusal(job_id, verb);
  return std::nullopt;
}

}  // namespace mirror
