// The options every qmpc command takes (-s/--socket, --timeout, ...), from one table: registered once on the
// top-level app (the subcommands fall through to it, so they are accepted before or after the command name),
// listed at the end of each command's --help, and known to the usage errors (internal to cli/).
#pragma once

#include "cli/options.hpp"

#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace qmpc::cli {

// Adds every global option (and --version, --help-all) to `app`, bound to `g`.
void add_global_options(CLI::App& app, GlobalOptions& g);

// The "Global options" block appended to a command's --help.
std::string global_options_help();

// Whether `word` is the name of a global option that takes a value (-s, --timeout, ...).
bool is_global_option_with_value(std::string_view word);

}  // namespace qmpc::cli
