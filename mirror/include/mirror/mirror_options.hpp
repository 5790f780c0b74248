// The names the block job options had when they described mirrors only (see mirror/job_options.hpp).
#pragma once

#include "mirror/job_options.hpp"

namespace mirror {

using MirrorOptions = JobOptions;
using MirrorResult = JobResult;

}  // namespace mirror
