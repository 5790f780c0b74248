#include "support/qemu_tools.hpp"

#include "support/process_runner.hpp"

#include <cstdio>
#include <cstdlib>
#include <regex>

namespace qmpc_test {
namespace {

const char* qemu_dir() {
  const char* dir = std::getenv("QMPC_QEMU_DIR");
  return dir && *dir ? dir : nullptr;
}

}  // namespace

std::string qemu_tool(std::string_view name) {
  if (const char* dir = qemu_dir()) return std::string(dir) + "/" + std::string(name);
  return std::string(name);
}

void put_qemu_dir_first_in_path() {
  const char* dir = qemu_dir();
  if (!dir) return;
  const char* path = std::getenv("PATH");
  const std::string value = std::string(dir) + (path && *path ? std::string(":") + path : "");
  setenv("PATH", value.c_str(), 1);
}

std::string tool_version(const std::string& program) {
  const ProcessResult r = run_process({program, "--version"});
  if (!r.ok()) return "";
  const std::string first = r.output.substr(0, r.output.find('\n'));
  std::smatch m;
  static const std::regex version(R"(version (\d+\.\d+\.\d+))");
  return std::regex_search(first, m, version) ? m[1].str() : "";
}

QemuVersion qemu_system_version() {
  static const QemuVersion v = [] {
    QemuVersion out;
    out.text = tool_version(qemu_tool("qemu-system-x86_64"));
    if (std::sscanf(out.text.c_str(), "%d.%d", &out.major, &out.minor) != 2) out = {};
    return out;
  }();
  return v;
}

}  // namespace qmpc_test
