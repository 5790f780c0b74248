// The whole text of a file, or of standard input for "-": the script of `qmpc run`, the raw command of
// `qmpc exec -`.
#pragma once

#include <optional>
#include <string>

namespace qmpc {

// Reads at most `max_bytes`; nullopt with `error` set ("cannot read FILE: No such file or directory", "FILE is
// larger than N bytes") when that fails.
std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes, std::string* error);

}  // namespace qmpc
