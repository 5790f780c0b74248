// A transcript for people (`qmpc trace show FILE`). No I/O.
//
//   # transcript: QEMU 7.2.22, recorded by qmpc from unix:/tmp/qmp.sock, started 2026-11-25T19:16:05.000000Z
//       0.000812  #3     ->  {"execute":"query-status","id":2}
//       0.000951  #4     <-  {"return":{"status":"running","singlestep":false,"running":true},"id":2}
//       0.001200  #5     ->  [client 2] {"execute":"stop","id":3}
//
// One message per line: transcript time in seconds, the wire sequence number, the direction (-> to QEMU, <- from
// QEMU), the client of a recording of `qmpc proxy` (when the entry names one), the message. Every message passes through qmp::redact (transcripts are written redacted already; this
// also covers one edited or made by hand) and qmp::printable, so no secret and no control character is shown.
#pragma once

#include "qmp/transcript.hpp"

#include <string>

namespace trace {

std::string render_transcript(const qmp::Transcript& transcript);

}  // namespace trace
