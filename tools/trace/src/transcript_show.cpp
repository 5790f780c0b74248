#include "trace/transcript_show.hpp"

#include "qmp/printable.hpp"
#include "qmp/redact.hpp"

#include <cstdio>

namespace trace {

std::string render_transcript(const qmp::Transcript& transcript) {
  const auto& h = transcript.header;
  std::string out = "# transcript";
  out += h.qemu_version.empty() ? std::string(": QEMU version unknown") : ": QEMU " + h.qemu_version;
  out += ", recorded by " + h.source;
  if (!h.origin.empty()) out += " from " + h.origin;
  if (!h.monitor.empty()) out += ", monitor " + h.monitor;
  if (h.started) out += ", started " + qmp::format_wall_time(*h.started);
  out = qmp::printable(out) + "\n";
  for (const qmp::TranscriptEntry& e : transcript.entries) {
    char head[64];
    std::snprintf(head, sizeof head, "%12.6f  #%-5llu %s  ", static_cast<double>(e.time.count()) / 1e6,
                  static_cast<unsigned long long>(e.seq), e.direction == qmp::Direction::to_qemu ? "->" : "<-");
    out += head;
    if (e.client) out += "[client " + std::to_string(*e.client) + "] ";
    out += e.raw ? "(not JSON) " + qmp::printable(e.json) : qmp::printable(qmp::redact(e.json));
    out += "\n";
  }
  return out;
}

}  // namespace trace
