// Realistic QMP event lines, as QEMU 7.2 sends them during block jobs (JOB_STATUS_CHANGE, BLOCK_JOB_*; about
// 146 bytes each with their "\r\n"), and a fake monitor that streams them over a socket.
#pragma once

#include <cstddef>
#include <string>

namespace qmpc_bench {

// `count` event lines (each ending in "\r\n"), cycling through the job events of a mirror, with increasing
// timestamps and offsets.
std::string make_event_block(std::size_t count);

// Serves one QMP client on `fd` (blocking; run it on its own thread): greeting, answers qmp_capabilities, then
// on the next command writes `block` `repeat` times followed by that command's reply, then reads until the client
// closes. Returns false when the client misbehaved or went away early.
bool serve_event_flood(int fd, const std::string& block, std::size_t repeat);

}  // namespace qmpc_bench
