#include "cli/error_line.hpp"

#include "qmp/printable.hpp"

namespace qmpc::cli {

std::string default_hint(const qmp::error_code& ec) {
  using qmp::errc;
  if (ec == qmp::make_error_code(errc::connection_lost) || ec == qmp::make_error_code(errc::session_closed))
    return "QEMU exited or closed the monitor; check QEMU's own log";
  if (ec == qmp::make_error_code(errc::subscription_overflow))
    return "events arrived faster than they could be written out; check that stdout is being read";
  switch (qmp::kind_of(ec)) {
    case qmp::error_kind::transport:
      return "check the address (--socket or QMPC_SOCKET), that QEMU runs with a QMP monitor there "
             "(-qmp unix:PATH,server=on,wait=off) and that no other client holds it";
    case qmp::error_kind::protocol:
      return "check that the address is a QMP monitor (-qmp), not an HMP monitor or a serial console";
    case qmp::error_kind::timeout:
      return "QEMU did not answer in time: check that it is not hung and that no other client holds the monitor "
             "(QEMU serves one at a time), or raise the deadline (--connect-timeout, --timeout)";
    default: return {};
  }
}

std::string error_line(const qmp::error_code& ec, const qmp::Diagnostics& diag, std::string_view doing,
                       std::string_view hint) {
  // QEMU's class and desc, paths, excerpts of what a peer sent: nothing raw reaches the terminal.
  if (qmp::kind_of(ec) == qmp::error_kind::qmp && diag.from_qemu())
    return qmp::printable("qmpc: " + diag.qmp_class + ": " + diag.qmp_desc) + "\n";
  std::string line = "qmpc: ";
  if (!doing.empty()) line.append(doing).append(": ");
  line += diag.describe(ec);
  // The library's own description often says what to check already; then the generic advice is left out.
  const bool says_what_to_check = diag.what.find("check ") != std::string::npos;
  const std::string advice = !hint.empty() ? std::string(hint) : says_what_to_check ? std::string() : default_hint(ec);
  if (!advice.empty()) line += "; " + advice;
  return qmp::printable(line) + "\n";
}

}  // namespace qmpc::cli
