// qmpc demo [--size SIZE] [--keep DIR]: the whole story on a scratch disk.
//
//   1. qemu-img creates a qcow2 disk, qemu-io fills parts of it with patterns;
//   2. a bare QEMU (qmp::Machine) opens it as disk0;
//   3. mirror::MirrorJob mirrors it to a new image, with a progress bar, and pivots once the job says ready;
//   4. QEMU quits and `qemu-img compare` verifies the copy;
//   5. the job's timeline is printed, and the files are removed (or kept in DIR).
// Exit 0 only when the copy verified.
#include "commands.hpp"

#include "qmp/printable.hpp"

#include "cli/mirror_report.hpp"
#include "cli/size_value.hpp"

#include "mirror/mirror_job.hpp"
#include "qmp/machine.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace qmpc {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct ToolResult {
  int exit_code = -1;
  std::string output;
};

// Runs a tool (argv, no shell) to completion, capturing stdout and stderr together.
ToolResult run_tool(std::vector<std::string> argv) {
  ToolResult r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {127, "pipe2 failed"};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return {127, "cannot run " + argv[0] + ": " + std::strerror(rc)};
  }
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) r.output.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// Runs a tool; on failure prints what failed and returns false.
bool step(const std::vector<std::string>& argv) {
  auto r = run_tool(argv);
  if (r.exit_code == 0) return true;
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  std::fprintf(stderr, "qmpc demo: '%s' failed (exit %d): %s; check that qemu-utils is installed\n",
               qmp::printable(command_text(argv)).c_str(), r.exit_code, qmp::printable(r.output).c_str());
  return false;
}

std::string pattern_write(std::uint64_t offset, std::uint64_t length, int pattern) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "write -P 0x%02x %llu %llu", pattern, static_cast<unsigned long long>(offset),
                static_cast<unsigned long long>(length));
  return buf;
}

void say(const std::string& line) { print_line("demo: " + line); }

}  // namespace

asio::awaitable<int> run_demo(const Runtime& rt) {
  const auto& opt = rt.line.demo;
  const auto ex = co_await asio::this_coro::executor;
  std::error_code fs_ec;

  // Working directory: DIR with --keep, else a private one removed at the end.
  std::string dir = opt.keep_dir;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/qmpc-demo-XXXXXX";
    if (!mkdtemp(templ.data())) {
      std::fprintf(stderr, "qmpc demo: cannot create a directory under %s: %s; check TMPDIR\n",
                   tmp && *tmp ? tmp : "/tmp", std::strerror(errno));
      co_return 1;
    }
    dir = templ;
  } else if (!std::filesystem::create_directories(dir, fs_ec) && fs_ec) {
    std::fprintf(stderr, "qmpc demo: cannot create %s: %s; check --keep\n", dir.c_str(), fs_ec.message().c_str());
    co_return 1;
  }
  struct Cleanup {
    std::string dir;
    bool keep;
    ~Cleanup() {
      std::error_code ignored;
      if (!keep) std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir, !opt.keep_dir.empty()};
  const std::string source = dir + "/source.qcow2";
  const std::string copy = dir + "/copy.qcow2";

  // 1. A disk with data: patterns in the first quarter and in the fifth eighth, the rest left unallocated.
  const std::uint64_t size = opt.size;
  std::uint64_t chunk = (size / 4) & ~std::uint64_t{0xffff};
  if (chunk == 0) chunk = size & ~std::uint64_t{511};
  say("creating a " + cli::format_size(size) + " qcow2 disk with data: " + source);
  if (!step({"qemu-img", "create", "-q", "-f", "qcow2", source, std::to_string(size)})) co_return 1;
  std::vector<std::string> io{"qemu-io", "-f", "qcow2"};
  if (chunk > 0) {
    io.insert(io.end(), {"-c", pattern_write(0, chunk, 0xa5)});
    const std::uint64_t second = (size / 2 + size / 8) & ~std::uint64_t{0xffff};
    if (second + chunk / 2 <= size && chunk / 2 >= 512)
      io.insert(io.end(), {"-c", pattern_write(second, (chunk / 2) & ~std::uint64_t{511}, 0x3c)});
  }
  io.push_back(source);
  if (chunk > 0 && !step(io)) co_return 1;

  // 2. A bare QEMU with the disk.
  qmp::MachineOptions mo;
  mo.binary = opt.qemu;
  mo.args = {"-drive", "if=none,id=disk0,node-name=drive0,file=" + source};
  mo.session = rt.session_options();
  qmp::Machine machine(ex, std::move(mo));
  auto [sec] = co_await machine.async_start(asio::as_tuple(asio::use_awaitable));
  if (sec) {
    co_return report_error(sec, machine.diagnostics(), "starting " + opt.qemu,
                           "check that qemu-system-x86 is installed (or give --qemu)");
  }
  say("QEMU " + machine.session().greeting().version() + " running as pid " + std::to_string(machine.pid()));

  // 3. Mirror, pivot when the job says it is ready.
  say("mirroring disk0 to " + copy);
  const bool bar = ::isatty(STDERR_FILENO) == 1;
  bool bar_drawn = false;
  mirror::MirrorOptions job_options;
  job_options.device = "disk0";
  job_options.target = mirror::DriveTarget{copy, "qcow2"};
  job_options.job_id = "demo-mirror";
  job_options.end_mode = mirror::EndMode::pivot;
  job_options.logger = rt.logger;
  job_options.completion_timeout = 120s;
  job_options.ready_timeout = 600s;
  job_options.poll_interval = 200ms;
  std::string ready_source;
  job_options.on_ready = [&](const mirror::ReadyReached& r) { ready_source = r.source; };
  job_options.on_progress = [&](const mirror::ProgressInfo& p) {
    if (!bar) return;
    std::fprintf(stderr, "\r%s ", cli::progress_bar({p.offset, p.len, p.speed, p.rate, p.eta, p.ready, {}}).c_str());
    std::fflush(stderr);
    bar_drawn = true;
  };
  mirror::MirrorJob job(machine.session(), job_options);
  auto [jec, result] = co_await job.async_run(asio::as_tuple(asio::use_awaitable));
  if (bar_drawn) std::fputc('\n', stderr);
  if (jec || result.outcome != mirror::Outcome::pivoted) {
    std::fprintf(stderr, "qmpc demo: the mirror did not pivot (%s): %s\n", mirror::to_string(result.outcome),
                 qmp::printable(result.diagnostics.empty() ? jec.message() : result.diagnostics.describe(jec)).c_str());
    co_return cli::to_int(cli::ExitCode::failed);
  }
  say("pivoted: disk0 now reads from " + copy);

  // 4. Stop QEMU (the images are in use while it runs), then compare.
  co_await machine.async_stop(qmp::StopOptions{}, asio::as_tuple(asio::use_awaitable));
  const auto compare = run_tool({"qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", source, copy});
  const bool verified = compare.exit_code == 0;
  if (verified)
    say("verified: qemu-img compare says the images are identical");
  else
    std::fprintf(stderr, "qmpc demo: the copy differs from the source (qemu-img compare, exit %d): %s",
                 compare.exit_code, qmp::printable(compare.output, qmp::Newlines::keep).c_str());

  // 5. The job's timeline.
  auto ms_text = [](std::optional<double> v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v.value_or(0));
    return std::string(buf);
  };
  say("timeline of job " + result.job_id + " (" + cli::format_size(result.len) + " copied):");
  say("  ready after " + ms_text(result.ready_ms) + " ms" +
      (ready_source.empty() ? std::string() : " (signalled by " + ready_source + ")"));
  say("  pivot sent " + std::to_string(result.pivot_us.value_or(0)) + " \xc2\xb5s after ready");
  say("  completed after " + ms_text(result.done_ms) + " ms");
  if (!opt.keep_dir.empty())
    say("files kept in " + dir);
  co_return verified ? 0 : cli::to_int(cli::ExitCode::failed);
}

}  // namespace qmpc
