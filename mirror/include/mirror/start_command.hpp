// Builds the drive-mirror / blockdev-mirror command from MirrorOptions. No I/O.
#pragma once

#include "mirror/mirror_options.hpp"

#include <optional>
#include <string>

namespace mirror {

struct StartCommand {
  std::string name;       // "drive-mirror" or "blockdev-mirror"
  std::string arguments;  // JSON object text
};

// Nullopt with `error` filled when the options cannot be expressed (e.g. unmap with blockdev-mirror, an empty
// device, an unknown error action).
std::optional<StartCommand> build_start_command(const MirrorOptions& o, std::string* error = nullptr);

}  // namespace mirror
