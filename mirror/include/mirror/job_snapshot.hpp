// One job as a query reports it: an entry of query-jobs or query-block-jobs, reduced to what the job model uses.
// Unknown members are ignored (newer QEMUs add some, e.g. "actively-synced" in 8.2).
#pragma once

#include "mirror/job_status.hpp"

#include <qmp/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mirror {

enum class JobQuery : std::uint8_t {
  query_jobs,        // [{"id","type","status","current-progress","total-progress","error"?}]
  query_block_jobs,  // [{"device","type","len","offset","busy","paused","speed","io-status","ready","status",...}]
};

struct JobSnapshot {
  JobQuery source = JobQuery::query_jobs;
  std::optional<JobStatus> status;
  std::optional<bool> ready;          // query-block-jobs only
  std::optional<bool> paused;         // query-block-jobs only
  std::string io_status;              // "ok", "failed", "nospace" (query-block-jobs only; empty when absent)
  std::optional<std::uint64_t> offset, len, speed;
  std::optional<std::string> error;   // set once the job ended with an error ("Operation canceled" when cancelled)
  std::string type;                   // "mirror", "commit", "stream", "backup", ... (empty when absent)
  std::optional<bool> auto_finalize, auto_dismiss;  // query-block-jobs only

  // True when QEMU stopped the job because of an I/O error (io-status failed or nospace). Such a job is not
  // healthy even when it reports ready:true.
  bool stopped_by_error() const noexcept { return io_status == "failed" || io_status == "nospace"; }
};

// Finds the job `job_id` in the return value of `query` (an array). Nullopt when it is not listed (or the value
// is not an array).
std::optional<JobSnapshot> find_job(const qmp::json::Value& query_return, JobQuery query, std::string_view job_id);

}  // namespace mirror
