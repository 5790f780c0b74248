// Checks a transcript for client mistakes around QMP and block jobs. No I/O.
//
// Rules (name: severity, what it catches):
//   completion-not-ready:        error    block-job-complete / job-complete sent while the job was not ready or
//                                         standby (the only states in which QEMU accepts complete)
//   completion-on-offset:        error    a completion sent right after a query-block-jobs reply that showed the job
//                                         with offset == len but ready false: deciding on offset == len
//   command-before-capabilities: error    a command other than qmp_capabilities sent before it (only checked when
//                                         the recording starts at the greeting)
//   unknown-reply-id:            error    a reply whose id was never sent, or was already answered (a warning when
//                                         the recording starts mid-session: the command may predate it)
//   finalize-wrong-state:        error    job-finalize / block-job-finalize outside pending
//   dismiss-wrong-state:         error    job-dismiss / block-job-dismiss outside concluded
//   concluded-not-dismissed:     warning  a job started with auto-dismiss false reached concluded and was never
//                                         dismissed before the recording ended
//   error-not-handled:           error    a BLOCK_JOB_ERROR that stopped the job (action "stop") never followed by
//                                         a resume or a cancel of that job
//   reply-wrong-client:          error    (recordings of `qmpc proxy`) a reply tagged with another client than the
//                                         command it answers
// Job states are the ones QEMU reported (JOB_STATUS_CHANGE, query-jobs, query-block-jobs) before the command was
// sent; a job the recording knows nothing about is not judged.
#pragma once

#include "qmp/transcript.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace trace {

enum class Severity : std::uint8_t { warning, error };
const char* to_string(Severity s) noexcept;

struct Finding {
  std::string rule;
  Severity severity = Severity::error;
  std::uint64_t seq = 0;           // the message the finding is about
  std::chrono::microseconds t{0};  // its transcript time
  std::string explanation;         // one line
  std::optional<std::uint64_t> client;  // the message's client, in a recording of `qmpc proxy`
};

std::vector<Finding> check_transcript(const qmp::Transcript& transcript);

// One line per finding: "error   seq 31  t=0.516000 s  completion-not-ready: ...", then a summary line. A finding
// about a client's message names it: "... t=0.516000 s  [client 2] completion-not-ready: ...".
std::string render_findings(const std::vector<Finding>& findings);

}  // namespace trace
