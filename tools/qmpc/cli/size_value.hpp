// Byte counts on the command line: "1048576", "64K", "16M", "2G", "1T" (binary multiples; "KiB"/"KB"/"k" and a
// trailing "B" are accepted too).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qmpc::cli {

// Nullopt with `error` set when `text` is not a whole number with an optional suffix, or overflows 64 bits.
std::optional<std::uint64_t> parse_size(std::string_view text, std::string* error = nullptr);

// "256 MiB", "1.5 GiB", "512 B": for human output.
std::string format_size(std::uint64_t bytes);

}  // namespace qmpc::cli
