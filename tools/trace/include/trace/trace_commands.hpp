// The actions of `qmpc trace ACTION ...`, once the command line has parsed them (trace/trace_request.hpp):
//
//   import-libvirt LOG [--monitor 0xADDR] [-o FILE]   one transcript per monitor and connection, written as
//                                                     <LOG stem>-<monitor>[-<connection>].qmpt in the current
//                                                     directory, or to FILE when the import gives exactly one
//   timeline FILE                                     per-job states and latencies
//   check FILE                                        findings, one per line
//   show FILE                                         the transcript for people
//   replay FILE --listen PATH [--paced]               serve the recording to one client on a UNIX socket
//
// Exit codes: 0 done (check: no error found; replay: the client did what the recorded one did), 1 failed (a file
// could not be read or written; check found errors; replay diverged), 2 a request the files make impossible (-o
// for a log of several transcripts, an existing file without --overwrite).
// Results go to `out`, diagnostics to `err`. Replay runs `ioc` until the client disconnects.
#pragma once

#include "trace/trace_request.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>

namespace trace {

int run_trace_action(boost::asio::io_context& ioc, const TraceRequest& request, std::FILE* out, std::FILE* err);

}  // namespace trace
