// What `human-monitor-command` returned, read for printing. No I/O.
//
// HMP answers with text, its lines ended by "\r\n"; an HMP error is text too. It is taken as an error when a line
// starts with "Error: " (error_report() and hmp_handle_error()) or "unknown command: " (HMP's parser).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc::cli {

struct HmpOutput {
  std::vector<std::string> lines;    // without their "\r\n" or "\n"; none for empty output
  std::optional<std::string> error;  // the first error line, when there is one
};

HmpOutput read_hmp_output(std::string_view text);

}  // namespace qmpc::cli
