#include "support/images.hpp"

#include "support/process.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace qmpc_bench {

void create_written_qcow2(const std::string& path, std::uint64_t size, std::uint8_t pattern) {
  run_tool_or_throw({"qemu-img", "create", "-q", "-f", "qcow2", path, std::to_string(size)});
  constexpr std::uint64_t kChunk = 64 * MiB;
  char pat[8];
  std::snprintf(pat, sizeof pat, "0x%02x", pattern);
  std::vector<std::string> argv{"qemu-io", "-f", "qcow2"};
  for (std::uint64_t off = 0; off < size; off += kChunk) {
    const std::uint64_t len = std::min(kChunk, size - off);
    argv.push_back("-c");
    argv.push_back("write -q -P " + std::string(pat) + " " + std::to_string(off) + " " + std::to_string(len));
  }
  argv.push_back(path);
  run_tool_or_throw(argv);
}

bool images_identical(const std::string& a, const std::string& b) {
  return run_tool({"qemu-img", "compare", "-U", a, b}).exit_code == 0;
}

}  // namespace qmpc_bench
