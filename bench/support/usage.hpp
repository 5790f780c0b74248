// This process's CPU time and peak resident set size.
#pragma once

#include <sys/resource.h>

namespace qmpc_bench {

// User + system CPU seconds of `who` (RUSAGE_SELF, RUSAGE_CHILDREN).
double cpu_seconds(int who = RUSAGE_SELF);
double cpu_seconds(const rusage& u);
// Peak RSS of this process in MiB.
double peak_rss_mib();

}  // namespace qmpc_bench
