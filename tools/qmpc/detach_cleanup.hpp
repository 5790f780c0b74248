// After `qmpc launch --detach`, qmpc is gone when QEMU exits, so nobody would remove the private directory that
// holds QEMU's socket. A small watcher process (its own session, no terminal, stdio on /dev/null) waits for QEMU's
// exit through a pidfd, then removes the socket if it is still there and the directory if it is then empty.
#pragma once

#include <sys/types.h>

#include <string>

namespace qmpc {

// Starts the watcher for `qemu` (which need not be our child). False with `why` when it cannot be started.
bool remove_dir_when_exited(pid_t qemu, const std::string& socket_path, const std::string& dir, std::string& why);

}  // namespace qmpc
