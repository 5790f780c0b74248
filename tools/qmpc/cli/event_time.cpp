#include "cli/event_time.hpp"

#include <cstdio>
#include <ctime>

namespace qmpc::cli {

std::string readable_timestamp(std::int64_t us) {
  if (us <= 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  if (!gmtime_r(&seconds, &tm)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1000000));
  return text;
}

}  // namespace qmpc::cli
