// Whether a running block-commit has a ready phase, from what QEMU says of it. No I/O.
//
// QEMU reports type "commit" for an active commit and for a commit of a lower layer alike (query-jobs,
// query-block-jobs, BLOCK_JOB_* events; seen on 5.2, 7.2 and 10.0), and neither query names the job's nodes.
// x-debug-query-block-graph does: QEMU runs an active commit as a mirror of the active layer into the base, and its
// job node has the edges "source" and "target" (its "main node" a mirror_top filter above the active layer); a
// commit below the active layer has "base" instead (its "main node" the active layer):
//
//   {"nodes": [{"name": "c1", "type": "block-job", "id": 5}, ...],
//    "edges": [{"name": "target", "parent": 5, "child": 4, ...}, ...]}
#pragma once

#include "mirror/job_kind.hpp"

#include <qmp/json.hpp>

#include <optional>
#include <string_view>

namespace mirror {

// active_commit or commit for the job `job_id` in the "return" value of x-debug-query-block-graph; nullopt when
// the graph does not say (no such job, or one that holds no nodes any more, as after its end).
std::optional<JobKind> commit_kind_from_block_graph(const qmp::json::Value& graph, std::string_view job_id);

}  // namespace mirror
