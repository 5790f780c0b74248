// What kind of commit the running job ID is, asked of QEMU before `qmpc commit --attach ID` follows it: an active
// commit (with a ready phase) or a commit below the active layer (which ends by itself). See mirror/commit_kind.hpp.
#pragma once

#include "qmp/session.hpp"

#include "mirror/job_kind.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace qmpc {

// From x-debug-query-block-graph; failing that, a job query-block-jobs lists as ready is an active commit.
// Nullopt when QEMU does not say (no such command, or a job past its work that holds no nodes any more).
boost::asio::awaitable<std::optional<mirror::JobKind>> attached_commit_kind(qmp::Session& session,
                                                                             const std::string& job_id);

}  // namespace qmpc
