// What one `qmpc trace ACTION ...` asks for, as the command line parsed it. Plain data.
#pragma once

#include "qmp/transcript_lines.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace trace {

enum class TraceAction { import_libvirt, timeline, check, show, replay };

const char* to_string(TraceAction a) noexcept;  // the action's name on the command line, e.g. "import-libvirt"

struct TraceRequest {
  TraceAction action = TraceAction::show;
  std::string file;                  // the transcript; for import-libvirt, the libvirt log
  std::size_t max_line_bytes = qmp::kDefaultMaxLineBytes;  // longest line read (replay: from the client)
  bool json = false;                 // timeline, check: JSON lines
  // import-libvirt
  std::string monitor;               // --monitor 0xADDR ("" : every monitor)
  std::optional<std::string> output; // -o FILE, or "-" for standard output
  bool overwrite = false;            // --overwrite: replace an existing regular file
  // replay
  std::string listen;                // --listen PATH
  bool paced = false;
  std::vector<std::string> ignored_arguments;  // --ignore PATH (repeatable)
};

}  // namespace trace
