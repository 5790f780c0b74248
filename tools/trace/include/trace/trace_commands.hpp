// The actions of `qmpc trace ACTION ARGS...`, ready for the command line to call:
//
//   import-libvirt LOG [--monitor 0xADDR] [-o FILE]   one transcript per monitor and connection, written as
//                                                     <LOG stem>-<monitor>[-<connection>].qmpt in the current
//                                                     directory, or to FILE when the import gives exactly one
//   timeline FILE                                     per-job states and latencies
//   check FILE                                        findings, one per line
//   replay FILE --listen PATH [--paced]               serve the recording to one client on a UNIX socket
//
// Exit codes: 0 done (check: no error found; replay: the client did what the recorded one did), 1 failed (a file
// could not be read or written; check found errors; replay diverged), 2 bad arguments.
// Results go to `out`, diagnostics to `err`. Replay runs `ioc` until the client disconnects.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace trace {

int run_trace_action(boost::asio::io_context& ioc, std::string_view action, const std::vector<std::string>& args,
                     std::FILE* out, std::FILE* err);

// One line per action, for --help.
std::string trace_actions_usage();

}  // namespace trace
