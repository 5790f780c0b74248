#include "cli/size_value.hpp"

#include <cctype>
#include <cstdio>
#include <limits>

namespace qmpc::cli {
namespace {

std::optional<std::uint64_t> fail(std::string* error, std::string_view text, const char* why) {
  if (error) *error = "'" + std::string(text) + "' is not a size: " + why + " (examples: 4096, 64K, 16M, 2G)";
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text, std::string* error) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  if (text.empty()) return fail(error, text, "it is empty");
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return fail(error, text, "it is too large");
    n = n * 10 + digit;
    ++i;
  }
  if (i == 0) return fail(error, text, "it must start with a whole number of bytes");
  std::string suffix;
  for (; i < text.size(); ++i) suffix += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  unsigned shift = 0;
  std::string_view unit = suffix;
  if (!unit.empty() && unit != "B") {
    switch (unit[0]) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      default: return fail(error, text, "unknown suffix (use K, M, G or T)");
    }
    unit.remove_prefix(1);
    if (!(unit.empty() || unit == "B" || unit == "IB")) return fail(error, text, "unknown suffix (use K, M, G or T)");
  }
  if (shift && n > (std::numeric_limits<std::uint64_t>::max() >> shift)) return fail(error, text, "it is too large");
  return n << shift;
}

std::string format_size(std::uint64_t bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else if (v == static_cast<double>(static_cast<std::uint64_t>(v)))
    std::snprintf(buf, sizeof buf, "%.0f %s", v, units[u]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace qmpc::cli
