// Real QEMU recordings (fixtures/transcripts/*.qmpt, `qmpc --trace`) as job fixtures: the job's part of the
// traffic, from its start command to its JOB_STATUS_CHANGE null, becomes the steps of a fixture (fixture_replay.hpp)
// that the job state machine must replay to the outcome the recording shows.
#pragma once

#include "fixture_replay.hpp"

#include <mirror/job_kind.hpp>

#include <qmp/message.hpp>

#include <string>
#include <vector>

namespace mirror::test {

// What a recording is, and what it must end in.
struct TranscriptCase {
  std::string file;     // in fixtures/transcripts
  JobKind kind;
  EndMode end_mode;     // how the recording's qmpc ended the job
  Outcome outcome;
};

// Every recording of a block job in fixtures/transcripts.
const std::vector<TranscriptCase>& transcript_cases();
std::string transcripts_dir();

// The steps of `c`: the config (the recorded start command, job-* commands when query-commands listed
// job-complete), every later command qmpc sent as an "out" and every reply and event as an "in", up to the job's
// JOB_STATUS_CHANGE null, then the expected outcome (one ready report for a kind with a ready phase, none
// otherwise). Throws when the recording has no such job.
Fixture transcript_fixture(const TranscriptCase& c);

// The reply to the first command named `command` in fixtures/transcripts/`file` (a test failure when there is none).
qmp::Message recorded_reply(const std::string& file, const std::string& command);

}  // namespace mirror::test
