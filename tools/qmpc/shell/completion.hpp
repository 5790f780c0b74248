// What the Tab key offers in `qmpc shell`, from the connected QEMU's schema. No I/O: given the line up to the
// cursor, it says where the word being completed starts and what may stand there.
//
//   first word            the command names (query-commands), and the shell's own words: hmp, transaction(, exit
//   in a transaction(     the action types (the schema's enum of "transaction" actions.type), and )
//   KEY                   the command's argument names at that place, each as "KEY=" and, for a member that has
//                         members of its own, also "KEY." to go on with a nested one ("target.driver="); a key
//                         already given on the line is not offered again; a flat union's variant members once its
//                         tag is given (driver=qcow2 file.filename=...)
//   KEY=VALUE             the values of an enum there, or true and false for a boolean
//   an action's KEY       the members of that action's data ("abort" has none), as for a command
//   transaction( KEY      the members of the transaction's "properties"
//
// Nothing is offered inside an open quote, after a JSON object, or in HMP text (`hmp ...`, `qmpc shell -H`).
#pragma once

#include "qmp/schema.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc::shell {

struct Completion {
  std::size_t start = 0;                // where the text being completed starts in the line
  std::vector<std::string> candidates;  // sorted, without duplicates; each starts with that text
  bool append_space = true;             // whether a unique candidate ends the word (not after "KEY=" or "KEY.")
};

enum class LineContext {
  command,             // a line of its own
  transaction_action,  // a line inside a transaction( block
  hmp,                 // HMP mode: every line is HMP text
};

// `schema` may be null (a QEMU that does not describe itself): then only command names are offered.
Completion complete(std::string_view line_before_cursor, const qmp::Schema* schema,
                    std::span<const std::string> command_names, LineContext context);

}  // namespace qmpc::shell
