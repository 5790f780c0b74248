// Error codes of the mirror library: how a mirror run ended when it did not end as asked.
// The run's JobResult holds the details (QEMU's words in `error`).
#pragma once

#include <boost/system/error_code.hpp>

namespace mirror {

using boost::system::error_code;

enum class errc {
  ok = 0,
  start_failed = 1,      // QEMU refused the start command
  job_failed,            // the job ended with an error (BLOCK_JOB_COMPLETED with "error")
  job_cancelled,         // the job was cancelled, but not because the caller asked
  deadline_expired,      // a ready or completion deadline fired; the job was aborted
  outcome_unknown,       // the job's end could not be observed (connection lost, events lost, would not end)
  wrong_outcome,         // the job ended in another way than the end mode asked (e.g. finished, not pivoted)
  invalid_options,       // the options cannot make a valid start command
  abandoned,             // the caller stopped following the job (BlockJob::abandon); it was left as it was
};

const boost::system::error_category& category() noexcept;
inline error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

}  // namespace mirror

template <>
struct boost::system::is_error_code_enum<mirror::errc> : std::true_type {};
