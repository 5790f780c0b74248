#include "trace/checker.hpp"

#include <cstdio>

namespace trace {

std::string render_findings(const std::vector<Finding>& findings) {
  std::string out;
  std::size_t errors = 0;
  for (const Finding& f : findings) {
    if (f.severity == Severity::error) ++errors;
    char head[96];
    std::snprintf(head, sizeof head, "%-7s seq %-6llu t=%.6f s  ", to_string(f.severity),
                  static_cast<unsigned long long>(f.seq), static_cast<double>(f.t.count()) / 1e6);
    out += head;
    if (f.client) out += "[client " + std::to_string(*f.client) + "] ";
    out += f.rule + ": " + f.explanation + "\n";
  }
  out += std::to_string(errors) + " error(s), " + std::to_string(findings.size() - errors) + " warning(s)\n";
  return out;
}

}  // namespace trace
