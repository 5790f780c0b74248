// Small private files of qmpc's own (the schema cache, the shell's history): folders made 0700, a file read whole
// within a size limit. No sockets.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace qmpc {

// Creates each missing folder of the absolute path `path` (0700), `path` itself included; false with `error`
// ("cannot create 'X': reason") when one cannot be made.
bool make_private_folders(const std::string& path, std::string* error);

// All of the open file `fd` when it holds at most `limit` bytes; nullopt when it is larger or a read fails
// (errno is then EFBIG for a file too large).
std::optional<std::string> read_all(int fd, std::size_t limit);

}  // namespace qmpc
