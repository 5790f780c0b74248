// What a QMP message says about block jobs: which job a command acts on and how, what an event reports, what a
// query-block-jobs / query-jobs reply lists. Shared by the timeline and the checker. No I/O.
//
// Naming (QEMU): BLOCK_JOB_* events put the job id in "device"; JOB_STATUS_CHANGE and BLOCK_JOB_PENDING use "id".
// block-job-cancel/-complete/-pause/-resume/-set-speed take "device"; block-job-finalize/-dismiss and job-* take "id".
#pragma once

#include "qmp/message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace trace {

enum class JobVerb : std::uint8_t { create, complete, finalize, dismiss, cancel, pause, resume, set_speed, other };

const char* to_string(JobVerb v) noexcept;

struct JobCommand {
  JobVerb verb = JobVerb::other;
  std::string job;      // the job id the command names (for create: "job-id", else the device/node name)
  std::string command;  // "blockdev-mirror", "job-complete", ...
  // create only: QEMU's defaults are true.
  bool auto_finalize = true;
  bool auto_dismiss = true;
  bool force = false;  // block-job-cancel force:true
};

// Nullopt when `command` is no job command (or lacks the member naming the job).
std::optional<JobCommand> job_command_of(const qmp::Message& command);
// The jobs a command creates: one for a creating command, one per backup action of a "transaction".
std::vector<JobCommand> jobs_created_by(const qmp::Message& command);

struct JobEvent {
  std::string job;
  std::string status;  // JOB_STATUS_CHANGE only
  std::string type;    // BLOCK_JOB_* "type"
  std::string error;   // BLOCK_JOB_COMPLETED "error"
  std::optional<std::uint64_t> offset, len;
};

// JOB_STATUS_CHANGE, BLOCK_JOB_READY/_COMPLETED/_CANCELLED/_ERROR/_PENDING; nullopt for other events.
std::optional<JobEvent> job_event_of(const qmp::Message& event);

struct JobQueryRow {
  std::string job;
  std::string type;
  std::string status;
  bool ready = false;  // query-block-jobs "ready"; query-jobs: status ready or standby
  std::optional<std::uint64_t> offset, len;  // query-block-jobs "offset"/"len", query-jobs progress
  bool from_block_jobs = false;              // a query-block-jobs row (else query-jobs)
  std::optional<bool> auto_dismiss;          // query-block-jobs "auto-dismiss"
};

// Rows of a reply to query-block-jobs or query-jobs (any array of objects with "device" or "id").
std::vector<JobQueryRow> job_query_rows(const qmp::Message& reply);

}  // namespace trace
