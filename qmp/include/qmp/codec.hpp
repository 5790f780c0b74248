// Turns one line of JSON text into a classified Message, and commands into compact wire bytes. No I/O.
#pragma once

#include "qmp/message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qmp {

struct DecodeError {
  enum class Reason { malformed_json, not_an_object, unknown_shape } reason;
  std::size_t offset = 0;  // byte offset of the problem inside the line
  std::string what;        // one line: what was wrong, the offset and a short excerpt
};

struct Decoded {
  std::optional<Message> message;
  std::optional<DecodeError> error;
};

// Parses and classifies one line received from a server (greeting, reply, error, event), or from a client when
// `accept_commands` is set (a fake server).
Decoded decode_line(std::string_view line, std::uint64_t seq, Clock::time_point time, bool accept_commands = false);

// The same, as the message itself (valid()) or an invalid Message with `error` set: the reader's form, which fills
// nothing it does not use (returning a Decoded costs a zeroed 120-byte object per message).
Message decode_message(std::string_view line, std::uint64_t seq, Clock::time_point time, DecodeError& error,
                       bool accept_commands = false);

// A short, printable excerpt of `text` around `offset` (for error messages).
std::string excerpt(std::string_view text, std::size_t offset, std::size_t width = 40);

// Compact command bytes, newline-terminated:
//   {"execute":"NAME","arguments":ARGS,"id":ID}\n
// `arguments_json` must be a JSON object text or empty (no arguments member). `oob` uses "exec-oob".
std::string encode_command(std::string_view name, std::string_view arguments_json, std::optional<std::uint64_t> id,
                           bool oob = false);

}  // namespace qmp
