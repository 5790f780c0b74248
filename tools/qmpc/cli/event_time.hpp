// QEMU's event timestamp for people: UTC, ISO 8601, to the microsecond ("2026-12-02T04:38:22.773925Z").
#pragma once

#include <cstdint>
#include <string>

namespace qmpc::cli {

// `us`: microseconds since the epoch (qmp::Message::timestamp_us()); 0 or less gives "-" (no timestamp).
std::string readable_timestamp(std::int64_t us);

}  // namespace qmpc::cli
