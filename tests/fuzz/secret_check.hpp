// An independent reading of the redaction policy (docs/reliability.md): after qmp::redact, no member named
// "password" or "key-secret", and no "data" of an object of qom-type "secret", holds anything but "<redacted>".
#pragma once

#include <string>
#include <string_view>

namespace qmpc_fuzz {

// What secret `text` leaves in clear, or "" when there is none or `text` is not JSON.
std::string secret_in_clear(std::string_view text);

}  // namespace qmpc_fuzz
