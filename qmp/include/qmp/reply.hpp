// The outcome of one command, as Session::async_execute hands it over with its error_code. Plain data, no I/O:
// the job state machine and other sans-I/O code take (error_code, Reply) as they come.
#pragma once

#include "qmp/error.hpp"
#include "qmp/json.hpp"
#include "qmp/message.hpp"

#include <cstdint>
#include <utility>

namespace qmp {

struct Reply {
  Message message;          // the reply or error message as received (invalid when none arrived)
  Diagnostics diagnostics;  // QMP class/desc for command errors, qmpc's explanation for others
  // The "return" member (a null value when absent).
  const json::Value& value() const noexcept;
  // The sequence point at which the reply arrived (0 when none did).
  std::uint64_t seq() const noexcept { return message.valid() ? message.seq() : 0; }
};

// A received reply or error reply as the session completes a command with it: an error reply gives the code of
// its class and carries its class and desc in the diagnostics; a reply gives no error.
std::pair<error_code, Reply> reply_from_message(Message m);

}  // namespace qmp
