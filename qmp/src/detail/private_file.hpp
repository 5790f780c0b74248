// Creating files that may hold what was said to QEMU (transcripts): mode 0600, never through a symbolic link,
// never into a device or FIFO, never over an existing file unless asked.
#pragma once

#include "qmp/error.hpp"
#include "qmp/transcript_writer.hpp"

#include <string>

namespace qmp::detail {

// Checks, without touching anything, that `path` may become a new private file: nothing is there, or (with
// ExistingFile::replace) a regular file. A symbolic link is refused, whatever it points to. False with
// `ec` (errc::invalid_argument) and `diag` naming the path and what is there.
bool check_private_file_path(const std::string& path, ExistingFile existing, error_code& ec, Diagnostics& diag);

// Checks as above, then creates `path` with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600; with ExistingFile::replace a
// regular file there is unlinked first (its inode, and other names of it, are left as they were: it is never
// truncated or chmodded). The descriptor, or -1 with `ec` and `diag` set.
int create_private_file(const std::string& path, ExistingFile existing, error_code& ec, Diagnostics& diag);

}  // namespace qmp::detail
