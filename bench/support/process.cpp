#include "support/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

extern char** environ;

namespace qmpc_bench {
namespace {

struct Spawned {
  pid_t pid = -1;
  int out = -1;
};

// Spawns `path` with `argv`, its stdout (and stderr too when `merge_stderr`) on a pipe.
Spawned spawn(const char* path, bool search_path, const std::vector<std::string>& argv, bool merge_stderr) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  if (merge_stderr) posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = search_path ? posix_spawnp(&pid, path, &fa, nullptr, args.data(), environ)
                             : posix_spawn(&pid, path, &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return {};
  }
  return {pid, fds[0]};
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  ::close(fd);
  return out;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

std::string command_line(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& argv) {
  ToolResult r;
  if (argv.empty()) return r;
  const Spawned s = spawn(argv[0].c_str(), true, argv, true);
  if (s.pid < 0) return r;
  r.output = read_all(s.out);
  int status = 0;
  while (::waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = exit_code_of(status);
  return r;
}

std::string run_tool_or_throw(const std::vector<std::string>& argv) {
  auto r = run_tool(argv);
  if (!r.ok()) {
    throw std::runtime_error(command_line(argv) + " failed (exit " + std::to_string(r.exit_code) +
                             "): " + r.output);
  }
  return r.output;
}

ChildResult run_self(const std::vector<std::string>& args) {
  ChildResult r;
  std::vector<std::string> argv{"/proc/self/exe"};
  argv.insert(argv.end(), args.begin(), args.end());
  const Spawned s = spawn("/proc/self/exe", false, argv, false);
  if (s.pid < 0) return r;
  r.output = read_all(s.out);
  int status = 0;
  while (::wait4(s.pid, &status, 0, &r.usage) < 0 && errno == EINTR) {
  }
  r.exit_code = exit_code_of(status);
  return r;
}

}  // namespace qmpc_bench
