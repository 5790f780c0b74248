#include "cli/hmp_output.hpp"

namespace qmpc::cli {

HmpOutput read_hmp_output(std::string_view text) {
  HmpOutput out;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!out.error && (line.rfind("Error: ", 0) == 0 || line.rfind("unknown command: ", 0) == 0))
      out.error = std::string(line);
    out.lines.emplace_back(line);
    start = end + 1;
  }
  return out;
}

}  // namespace qmpc::cli
