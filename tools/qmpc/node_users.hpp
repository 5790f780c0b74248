// Whether a block node is in use by a device (query-block) or a block export (query-block-exports): what a
// mirror's completion switches over to its target. qemu-storage-daemon without exports, or a QEMU whose disk is a
// bare -blockdev node, has no such user, and completing the mirror then switches nothing.
#pragma once

#include "qmp/session.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace qmpc {

// Nullopt when QEMU could not be asked (query-block failed).
boost::asio::awaitable<std::optional<bool>> node_in_use(qmp::Session& session, const std::string& node);

}  // namespace qmpc
