// Made-up QEMU traffic for the job state machine fuzz target: each function turns fuzz bytes into the JSON text of
// one message QEMU could send about a mirror job (or about another job), valid or odd.
#pragma once

#include <mirror/job_actions.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <string>

namespace qmpc_fuzz {

// An event: JOB_STATUS_CHANGE, BLOCK_JOB_READY/_COMPLETED/_CANCELLED/_ERROR/_PENDING, SHUTDOWN, another event.
std::string make_event(FuzzedDataProvider& in, const std::string& job_id);
// A reply (or error reply) to `command`: query-jobs and query-block-jobs get a list of jobs, the others {}.
std::string make_reply(FuzzedDataProvider& in, mirror::Command command, const std::string& job_id);
// The return value of query-block-jobs (a JSON array).
std::string make_block_jobs(FuzzedDataProvider& in, const std::string& job_id);

}  // namespace qmpc_fuzz
