// Removes secrets from JSON text before it is logged or recorded: the "data" of an object-add of qom-type
// "secret", and the value of any "password" or "key-secret" member, at any depth.
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
