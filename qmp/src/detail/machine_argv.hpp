// The command line a Machine runs. Pure functions, no I/O.
#pragma once

#include "qmp/machine.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace qmp::detail {

// The chardev id and descriptor number the socketpair monitor uses in the child.
inline constexpr int monitor_fd_number = 3;

// binary, then (when options.bare) "-M none" unless the args choose a machine, "-nodefaults" unless present and
// "-display none" unless the args choose a display (-display / -nographic), then options.args, then the monitor:
//   socketpair:  -chardev socket,id=qmpc-qmp,fd=3 -mon chardev=qmpc-qmp,mode=control
//   unix_socket: -qmp unix:PATH,server=on,wait=off
std::vector<std::string> build_argv(const MachineOptions& options, std::string_view unix_socket_path);

// Escapes a value for QEMU's option syntax (a comma is written twice).
std::string escape_option_value(std::string_view value);

}  // namespace qmp::detail
