// How every benchmark prints its figures: one "name: value unit" line per figure, so the runner script can
// collect them into one table, and medians of repeated, interleaved runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qmpc_bench {

// Prints "name: value unit" (value with `precision` digits after the point) and flushes.
void report(std::string_view name, double value, std::string_view unit, int precision = 2);
// Prints "name: value x" for a ratio.
void report_ratio(std::string_view name, double ratio);
// Prints a free-form note ("# ..."), ignored by the table.
void note(std::string_view text);

double median(std::vector<double> values);
double percentile(std::vector<double> values, double p);  // p in [0, 100], nearest rank

}  // namespace qmpc_bench
