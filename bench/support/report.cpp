#include "support/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qmpc_bench {

void report(std::string_view name, double value, std::string_view unit, int precision) {
  std::printf("%.*s: %.*f %.*s\n", static_cast<int>(name.size()), name.data(), precision, value,
              static_cast<int>(unit.size()), unit.data());
  std::fflush(stdout);
}

void report_ratio(std::string_view name, double ratio) { report(name, ratio, "x", 3); }

void note(std::string_view text) {
  std::printf("# %.*s\n", static_cast<int>(text.size()), text.data());
  std::fflush(stdout);
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return values[std::min(i, values.size() - 1)];
}

}  // namespace qmpc_bench
