// Disk images for the mirror benchmarks, made with qemu-img and qemu-io.
#pragma once

#include <cstdint>
#include <string>

namespace qmpc_bench {

inline constexpr std::uint64_t MiB = 1024 * 1024;
inline constexpr std::uint64_t GiB = 1024 * MiB;

// A qcow2 image of `size` bytes, all of it written with `pattern` in writes of at most 64 MiB (fully allocated).
// Throws std::runtime_error when a tool fails.
void create_written_qcow2(const std::string& path, std::uint64_t size, std::uint8_t pattern = 0x5a);

// `qemu-img compare -U`: true when the guest-visible contents are identical.
bool images_identical(const std::string& a, const std::string& b);

}  // namespace qmpc_bench
