// The one line qmpc prints on stderr when something fails.
//
//   QMP errors, exactly:     qmpc: GenericError: Cannot find device='nope' nor node-name='nope'
//   everything else:         qmpc: <what failed>: <why>; <what to check>
#pragma once

#include "qmp/error.hpp"

#include <string>
#include <string_view>

namespace qmpc::cli {

// `doing` names the step that failed ("query-status", "waiting for events", "starting QEMU"); `hint` replaces
// the default advice for the error's kind when not empty. Ends with '\n'.
std::string error_line(const qmp::error_code& ec, const qmp::Diagnostics& diag, std::string_view doing,
                       std::string_view hint = {});

// The default advice for an error's kind ("" when the description says enough).
std::string default_hint(const qmp::error_code& ec);

}  // namespace qmpc::cli
