#include "machine_argv.hpp"

#include <algorithm>

namespace qmp::detail {
namespace {

bool has_any(const std::vector<std::string>& args, std::initializer_list<std::string_view> names) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    for (std::string_view n : names) {
      // "-M", "--M" and "-machine" forms, with or without "=value".
      std::string_view s = a;
      if (s.starts_with("--")) s.remove_prefix(1);
      if (s == n || (s.starts_with(n) && s.size() > n.size() && s[n.size()] == '=')) return true;
    }
    return false;
  });
}

}  // namespace

std::string escape_option_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    out.push_back(c);
    if (c == ',') out.push_back(',');
  }
  return out;
}

std::vector<std::string> build_argv(const MachineOptions& o, std::string_view unix_socket_path) {
  std::vector<std::string> argv{o.binary};
  if (o.bare) {
    if (!has_any(o.args, {"-M", "-machine"})) argv.insert(argv.end(), {"-M", "none"});
    if (!has_any(o.args, {"-nodefaults"})) argv.emplace_back("-nodefaults");
    if (!has_any(o.args, {"-display", "-nographic"})) argv.insert(argv.end(), {"-display", "none"});
  }
  argv.insert(argv.end(), o.args.begin(), o.args.end());
  if (o.monitor == MachineOptions::Monitor::socketpair) {
    argv.insert(argv.end(), {"-chardev", "socket,id=qmpc-qmp,fd=" + std::to_string(monitor_fd_number), "-mon",
                             "chardev=qmpc-qmp,mode=control"});
  } else {
    argv.insert(argv.end(), {"-qmp", "unix:" + escape_option_value(unix_socket_path) + ",server=on,wait=off"});
  }
  return argv;
}

}  // namespace qmp::detail
