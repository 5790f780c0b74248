// Removes secrets from JSON text before it is logged or recorded: secret objects' data, password and key-secret
// members, qom-set of data/password, credential members of rbd/ssh/curl options, and in any string URL passwords,
// rbd keys, QemuOpts password=/data= values and HMP set_password / change vnc password. The full policy is in
// docs/architecture.md, "Redaction policy".
#pragma once

#include <string>
#include <string_view>

namespace qmp {

inline constexpr std::string_view kRedacted = "<redacted>";

// Fast check: could `json_text` hold a secret? (False positives are fine; false negatives are not.)
bool may_hold_secret(std::string_view json_text) noexcept;
// Returns `json_text` with secrets replaced by "<redacted>" (unchanged when there are none or it is not JSON).
std::string redact(std::string_view json_text);

}  // namespace qmp
