// The names the block job runner had when it ran mirrors only; mirror::BlockJob runs every job kind.
#pragma once

#include "mirror/block_job.hpp"
#include "mirror/mirror_options.hpp"

namespace mirror {

using MirrorJob = BlockJob;

}  // namespace mirror
