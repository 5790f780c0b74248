// Error codes of the qmp library and the diagnostics that travel with them.
//
// A caller can tell the kinds apart with qmp::error_kind(ec): transport (cannot connect, connection lost),
// protocol (the peer sent something that is not QMP), timeout (a deadline passed), qmp (QEMU answered the
// command with an error; its class and desc are in Diagnostics::qmp_class and qmp_desc), cancelled (the caller
// cancelled).
#pragma once

#include <boost/system/error_code.hpp>

#include <string>
#include <system_error>

namespace qmp {

using boost::system::error_code;

enum class errc {
  ok = 0,
  // transport
  connect_failed = 1,   // could not connect (address and last errno in the diagnostics)
  connection_lost,      // EOF or reset while the session was open
  session_closed,       // the session was closed by its owner
  // protocol
  not_a_greeting = 20,  // the first message was not a QMP greeting
  malformed_json,       // the server sent bytes that are not JSON (offset and excerpt in the diagnostics)
  message_too_large,    // a server line exceeded the configured maximum
  protocol_error,       // an error reply with no id, or a message of unknown shape
  capabilities_failed,  // qmp_capabilities was refused
  oob_not_available,    // exec-oob asked for but not negotiated
  fd_passing_unsupported,  // file descriptors can only be passed on UNIX sockets
  // deadlines
  timeout = 40,
  // QMP command errors, by QEMU's error class
  generic_error = 60,
  command_not_found,
  device_not_active,
  device_not_found,
  kvm_missing_cap,
  unknown_error_class,
  // subscriptions
  subscription_overflow = 80,  // a subscription with policy fail overflowed
  subscription_closed,         // the subscription ended (session gone or overflow)
  // process management
  process_exited = 100,  // QEMU exited (early or while being waited for); its stderr is in the diagnostics
  spawn_failed,
  // caller mistakes
  invalid_argument = 120,
};

enum class error_kind { none, transport, protocol, timeout, qmp, cancelled, subscription, process, usage, other };

const boost::system::error_category& category() noexcept;

inline error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

// Classifies any error code the library hands out (including asio's operation_aborted).
error_kind kind_of(const error_code& ec) noexcept;
const char* to_string(error_kind k) noexcept;

// Maps QMP's error "class" member to a code.
errc errc_from_class(std::string_view qmp_class) noexcept;

// What went wrong, in words, with QEMU's words kept apart from qmpc's own (as Boost.MySQL keeps the server's
// message apart from the client's). Session hands one over with each command's error_code (Reply::diagnostics)
// and for the session's failure, Machine for its last failure, the block job runner in its result
// (mirror::JobResult::diagnostics), the transcript tools as an out-parameter.
struct Diagnostics {
  std::string qmp_class;  // QEMU's error class, verbatim (e.g. "GenericError"); empty unless QEMU refused a command
  std::string qmp_desc;   // QEMU's desc, verbatim; empty unless QEMU refused a command
  std::string what;       // qmpc's own words: what it found wrong, or what it was doing (empty when it adds none)

  bool empty() const noexcept { return qmp_class.empty() && qmp_desc.empty() && what.empty(); }
  // True when the error is QEMU's refusal of a command (qmp_class and qmp_desc hold QEMU's words).
  bool from_qemu() const noexcept { return !qmp_class.empty(); }
  // QEMU's desc for QEMU's errors, else qmpc's words.
  const std::string& text() const noexcept { return from_qemu() ? qmp_desc : what; }
  // One line: "CLASS: DESC" for QEMU's errors ("WHAT: CLASS: DESC" when qmpc added words), else what, else
  // ec.message().
  std::string describe(const error_code& ec) const;
};

}  // namespace qmp

template <>
struct boost::system::is_error_code_enum<qmp::errc> : std::true_type {};
