#include "support/image_tools.hpp"

#include "support/qemu_tools.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace qmpc_test {
namespace {

ProcessResult run_checked(std::vector<std::string> argv) {
  ProcessResult r = run_process(argv);
  if (!r.ok()) ADD_FAILURE() << join_argv(argv) << " failed (exit " << r.exit_code << "):\n" << r.output;
  return r;
}

std::string hex_byte(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

}  // namespace

ProcessResult qemu_img(std::vector<std::string> args) {
  args.insert(args.begin(), qemu_tool("qemu-img"));
  return run_checked(std::move(args));
}

ProcessResult qemu_io(std::vector<std::string> args) {
  args.insert(args.begin(), qemu_tool("qemu-io"));
  return run_checked(std::move(args));
}

bool write_pattern(const std::string& path, std::string_view format, std::uint64_t offset, std::uint64_t length,
                   std::uint8_t pattern) {
  return qemu_io("-f", format, "-c",
                 "write -P " + hex_byte(pattern) + " " + std::to_string(offset) + " " + std::to_string(length), path)
      .ok();
}

bool create_image(const std::string& path, const ImageSpec& spec) {
  if (!qemu_img("create", "-q", "-f", spec.format, path, std::to_string(spec.size)).ok()) return false;
  if (spec.filled == 0) return true;
  return write_pattern(path, spec.format, 0, spec.filled, spec.pattern);
}

bool images_identical(const std::string& a, const std::string& b) {
  std::vector<std::string> argv{qemu_tool("qemu-img"), "compare", "-U", a, b};
  ProcessResult r = run_process(argv);
  if (r.exit_code == 0) return true;
  if (r.exit_code != 1) ADD_FAILURE() << join_argv(argv) << " could not compare (exit " << r.exit_code << "):\n"
                                      << r.output;
  return false;
}

}  // namespace qmpc_test
