// The secrets that hide inside a string value: HMP command lines (human-monitor-command), QemuOpts strings,
// URLs and rbd filenames. Part of qmp::redact (docs/architecture.md, "Redaction policy").
#pragma once

#include <string>
#include <string_view>

namespace qmp::detail {

// Replaces, in `s`, each secret named in the policy by "<redacted>"; true when something was replaced.
//   scheme://user:PASSWORD@host             the password of URL credentials
//   ...:key=KEY...                          an rbd key (rbd:pool/img:id=admin:key=AQB...)
//   password=PW / data=DATA                 QemuOpts values (data= only in a string naming "secret")
//   set_password PROTOCOL PW / change vnc password PW   HMP commands
bool redact_text(std::string& s);

// The words whose absence proves that redact_text() has nothing to do (a cheap pre-check).
bool text_may_hold_secret(std::string_view s) noexcept;

}  // namespace qmp::detail
