#include "cli/exit_code.hpp"

namespace qmpc::cli {

ExitCode exit_code_for(const qmp::error_code& ec) noexcept {
  switch (qmp::kind_of(ec)) {
    case qmp::error_kind::none: return ExitCode::ok;
    case qmp::error_kind::qmp: return ExitCode::failed;
    case qmp::error_kind::transport:
    case qmp::error_kind::protocol:
    case qmp::error_kind::subscription: return ExitCode::connection;
    case qmp::error_kind::timeout: return ExitCode::deadline;
    case qmp::error_kind::cancelled: return ExitCode::interrupted;
    case qmp::error_kind::usage: return ExitCode::usage;
    case qmp::error_kind::process:
      // QEMU that exits before or while qmpc talks to it is a lost connection; a binary that cannot be started
      // at all is a failed command.
      return ec == qmp::make_error_code(qmp::errc::spawn_failed) ? ExitCode::failed : ExitCode::connection;
    case qmp::error_kind::other: return ExitCode::failed;
  }
  return ExitCode::failed;
}

}  // namespace qmpc::cli
