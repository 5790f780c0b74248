// Per-job timeline of a transcript: each job's states with their times, and the latencies that matter when a
// job is pivoted: start -> ready, ready -> completion command sent (how long the client took to act on ready, e.g.
// a polling client's delay), completion command -> completed. In a recording of `qmpc proxy`, what each client did:
// the commands it sent and the replies it got. No I/O.
#pragma once

#include "qmp/transcript.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace trace {

struct TimelinePoint {
  std::uint64_t seq = 0;
  std::chrono::microseconds t{0};      // transcript time (since the start of the recording)
  std::optional<std::uint64_t> client;  // the entry's client (TranscriptEntry::client)
};

struct JobStateChange {
  std::string status;  // JOB_STATUS_CHANGE status ("created", "running", "ready", ...)
  TimelinePoint at;
};

struct JobTimeline {
  std::string id;
  std::string type;        // "mirror", "create", ... when an event or a query said so
  std::string created_by;  // the command that created it ("blockdev-mirror"), when the transcript shows it
  std::optional<TimelinePoint> start;            // the creating command sent; else the first sign of the job
  std::optional<TimelinePoint> ready;            // first JOB_STATUS_CHANGE ready or BLOCK_JOB_READY
  std::optional<TimelinePoint> ready_polled;     // first query-block-jobs/query-jobs reply showing it ready
  std::optional<TimelinePoint> completion_sent;  // first block-job-complete / job-complete naming it
  std::string completion_command;
  std::optional<TimelinePoint> completed;  // BLOCK_JOB_COMPLETED / _CANCELLED, else JOB_STATUS_CHANGE concluded
  std::string outcome;  // "completed", "failed: <error>", "cancelled", "concluded"; "" if the recording ends first
  std::vector<JobStateChange> states;
  std::size_t polls = 0;  // query-block-jobs / query-jobs replies that listed the job

  std::optional<std::chrono::microseconds> start_to_ready() const;
  std::optional<std::chrono::microseconds> ready_to_completion_sent() const;
  std::optional<std::chrono::microseconds> completion_sent_to_completed() const;
};

// One client of a recording of `qmpc proxy`: the entries tagged with its number.
struct ClientActivity {
  std::uint64_t client = 0;
  std::size_t commands = 0;
  std::size_t replies = 0;  // error replies included
  std::size_t errors = 0;
  TimelinePoint first;  // its first and last entries
  TimelinePoint last;
  std::vector<std::pair<std::string, std::size_t>> command_names;  // in order of first use, with counts
};

struct Timeline {
  std::vector<JobTimeline> jobs;  // in order of first appearance; a job id reused later is a new entry
  std::vector<ClientActivity> clients;  // by client number; empty unless entries name a client
};

Timeline build_timeline(const qmp::Transcript& transcript);

// Human-readable rendering: a title line from the header, one line per client (when entries name clients), then
// per job its states and the three latencies; rows of a client's command or reply end in "[client N]".
std::string render_timeline(const Timeline& timeline, const qmp::TranscriptHeader& header);

}  // namespace trace
