// The options every job command shares (commit, stream, backup): job id, --attach, error policy, how it ends, the
// deadlines, progress and --json (internal to cli/).
#pragma once

#include "cli/block_job_options.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace qmpc::cli {

// Adds them to `c`. `ends` lists the end flags the command offers, among --pivot, --finish, --wait, --detach.
void add_follow_options(CLI::App& c, JobFollowOptions& o, const std::string& what, bool ready_phase_ends);
// Once parsed: the end flag and --progress/--no-progress into `o`; throws UsageError for conflicts.
void read_follow_flags(const CLI::App& c, JobFollowOptions& o);

}  // namespace qmpc::cli
