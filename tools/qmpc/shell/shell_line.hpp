// What the lines typed into `qmpc shell` ask for. No I/O: fed one line at a time, it says what to send.
//
//   COMMAND [KEY=VALUE ... | JSON-OBJECT]    a QMP command, words read as after `qmpc exec` (script/step_parser.hpp)
//   {"execute": NAME, "arguments": {...}}    a raw command object
//   hmp TEXT                                 TEXT through human-monitor-command, as typed (not split into words)
//   transaction( [KEY=VALUE ...]             opens a block: the words are the transaction's "properties"
//     ACTION-TYPE [KEY=VALUE ... | JSON]     one action per line: {"type": ACTION-TYPE, "data": {...}}
//   )                                        closes it: one `transaction` command of the actions, in order
//   exit                                     leaves the shell (`quit` is QEMU's own command: it stops QEMU)
//   blank lines and lines starting with '#'  nothing
//
// In HMP mode (`qmpc shell -H`) every other line is HMP text. A bad line is an error and changes nothing: inside
// a block the block stays open, so the line can be typed again.
#pragma once

#include "script/step.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace qmpc::shell {

struct HmpRequest {
  std::string command_line;
};
struct ExitRequest {};
struct NoRequest {};  // a blank or comment line, or a line taken into an open block
struct LineError {
  std::string message;  // one line, naming what was wrong
};

using Request = std::variant<NoRequest, script::CommandStep, HmpRequest, ExitRequest, LineError>;

class LineReader {
 public:
  explicit LineReader(bool hmp_mode = false) : hmp_mode_(hmp_mode) {}

  Request read(std::string_view line);

  // Whether a transaction( block is open (the shell's continuation prompt, and what completion offers).
  bool in_transaction() const noexcept { return open_; }
  bool hmp_mode() const noexcept { return hmp_mode_; }

 private:
  Request open_block(std::string_view rest);
  Request read_action(std::string_view line);
  Request close_block();

  bool hmp_mode_;
  bool open_ = false;
  std::string properties_json_;       // "" for none
  std::vector<std::string> actions_;  // each an action object's JSON text
};

}  // namespace qmpc::shell
