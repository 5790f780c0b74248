// Starting and reaping a child process without a shell. No asio here: the Machine drives these calls.
#pragma once

#include "qmp/machine.hpp"
#include "qmp/unique_fd.hpp"

#include <sys/types.h>

#include <string>
#include <vector>

namespace qmp::detail {

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  int output_fd = -1;             // becomes the child's stdout and stderr (-1: /dev/null)
  int inherited_fd = -1;          // passed to the child under the number `inherited_fd_number` (-1: none)
  int inherited_fd_number = 3;
};

struct SpawnResult {
  pid_t pid = -1;
  UniqueFd pidfd;     // readable once the child has exited
  int error = 0;      // errno of the failure (pid == -1)
  std::string what;   // the failed step, in words
};

// Starts the child with stdin on /dev/null and every descriptor other than 0, 1, 2 and the inherited one closed.
SpawnResult spawn_child(const SpawnRequest& request);

// Decodes a waitpid() status.
ExitStatus exit_status_from_wait(int wait_status);

// Reaps the child if it has exited (waitpid WNOHANG). Returns true with `status` filled when it was reaped, or when
// it no longer exists as our child (ECHILD: status left as unknown).
bool try_reap(pid_t pid, ExitStatus& status);

// Blocking reap (retries on EINTR). For the destructor, after SIGKILL.
void reap_blocking(pid_t pid, ExitStatus& status);

// pidfd_open(2) and pidfd_send_signal(2). (Debian 12's <sys/pidfd.h> declares them without C linkage, so the
// system calls are made directly.)
int open_pidfd(pid_t pid) noexcept;
int send_signal_to_pidfd(int pidfd, int sig) noexcept;

// Creates a private 0700 directory "<prefix>XXXXXX" under `base` (empty: $TMPDIR, or /tmp). Empty on failure
// (errno set).
std::string make_private_dir(const std::string& prefix, const std::string& base = {});

}  // namespace qmp::detail
