// A plain listening UNIX socket standing for "another program" in the CLI tests (no accept loop, no QMP).
#pragma once

#include <string>

namespace qmpc_cli_test {

// A socket bound and listening at `path`; its descriptor (the caller closes it).
int listening_socket(const std::string& path);
// True when a connection made to `listener`'s path is waiting to be accepted (it is accepted and closed).
bool accepts_a_connection(int listener);

}  // namespace qmpc_cli_test
