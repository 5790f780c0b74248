// JSON renderings of the timeline and the checker's findings, for scripts (`qmpc trace timeline --json`,
// `qmpc trace check --json`). No I/O. One compact JSON object per line; times in microseconds of transcript time,
// null when the transcript does not show the point.
//
//   timeline: per job
//     {"job":ID,"type":T,"created_by":CMD,"outcome":O,"polls":N,"start_us":..,"ready_us":..,"ready_polled_us":..,
//      "completion_command":CMD,"completion_sent_us":..,"completed_us":..,"start_to_ready_us":..,
//      "ready_to_completion_sent_us":..,"completion_sent_to_completed_us":..,
//      "states":[{"status":S,"seq":N,"t_us":N},...]}
//     ("type", "created_by", "completion_command", "outcome": "" when unknown)
//   check: per finding {"severity":"error"|"warning","rule":R,"seq":N,"t_us":N,"explanation":E}, then
//     {"errors":N,"warnings":N}
#pragma once

#include "trace/checker.hpp"
#include "trace/timeline.hpp"

#include <string>
#include <vector>

namespace trace {

std::string render_timeline_json(const Timeline& timeline);
std::string render_findings_json(const std::vector<Finding>& findings);

}  // namespace trace
