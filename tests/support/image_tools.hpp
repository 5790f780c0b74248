// qemu-img and qemu-io for tests: create images filled with a pattern, write into them, compare them.
// Each runner fails the test (ADD_FAILURE with the command line and its output) when the tool exits non-zero.
#pragma once

#include "support/process_runner.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc_test {

ProcessResult qemu_img(std::vector<std::string> args);
ProcessResult qemu_io(std::vector<std::string> args);

template <typename... Args>
ProcessResult qemu_img(std::string_view first, Args&&... rest) {
  return qemu_img(std::vector<std::string>{std::string(first), std::string(std::forward<Args>(rest))...});
}
template <typename... Args>
ProcessResult qemu_io(std::string_view first, Args&&... rest) {
  return qemu_io(std::vector<std::string>{std::string(first), std::string(std::forward<Args>(rest))...});
}

inline constexpr std::uint64_t MiB = 1024 * 1024;

struct ImageSpec {
  std::string format = "qcow2";  // "qcow2" or "raw"
  std::uint64_t size = 64 * MiB;
  // Bytes [0, filled) are written with `pattern` (qemu-io "write -P"); the rest stays unallocated / zero.
  std::uint64_t filled = 16 * MiB;
  std::uint8_t pattern = 0xa5;
};

// Creates `path` as described. Returns false (after ADD_FAILURE) when a tool failed.
bool create_image(const std::string& path, const ImageSpec& spec = {});

// Writes `length` bytes of `pattern` at `offset` of an image that no process holds open.
bool write_pattern(const std::string& path, std::string_view format, std::uint64_t offset, std::uint64_t length,
                   std::uint8_t pattern);

// `qemu-img compare -U a b`: true when the guest-visible contents are identical. A comparison that could not be
// made (exit code >= 2) fails the test and returns false.
bool images_identical(const std::string& a, const std::string& b);

}  // namespace qmpc_test
