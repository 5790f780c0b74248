// What `qmpc proxy` adds to a round trip: sequential query-status from the raw baseline client (blocking socket,
// no JSON; support/raw_client.hpp) straight to a monitor and through a `qmpc proxy` process in front of an
// identical one, in interleaved runs (direct, proxy, direct, proxy, ...), against:
//
//   qemu  a bare QEMU with two QMP monitors: the proxy holds one, the direct client uses the other
//   fake  two fake monitors (a thread each, answering every line at once): the proxy's own cost, without QEMU's
//         time per command (it reads its input a byte per system call) around it
//
// Prints the median µs per command both ways, the difference and the ratio proxy / direct.
#include "support/qemu.hpp"
#include "support/raw_client.hpp"
#include "support/report.hpp"
#include "support/temp_dir.hpp"

#include <CLI/CLI.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Seconds = std::chrono::duration<double>;

// A QMP monitor that answers every command at once with {"return": {}} and its id; one client at a time.
class FakeMonitor {
 public:
  explicit FakeMonitor(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 4) != 0)
      throw std::runtime_error("fake monitor: cannot listen on " + path_ + ": " + std::strerror(errno));
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeMonitor() {
    ::shutdown(fd_, SHUT_RDWR);  // ends the accept
    thread_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  FakeMonitor(const FakeMonitor&) = delete;
  FakeMonitor& operator=(const FakeMonitor&) = delete;
  const std::string& path() const noexcept { return path_; }

 private:
  static bool write_all(int fd, std::string_view s) {
    while (!s.empty()) {
      const ssize_t n = ::write(fd, s.data(), s.size());
      if (n <= 0) return false;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  void serve() {
    for (;;) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      write_all(c, R"({"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, )"
                   R"("capabilities": []}})" "\r\n");
      std::string buf;
      char chunk[4096];
      for (ssize_t n; (n = ::read(c, chunk, sizeof chunk)) > 0;) {
        buf.append(chunk, static_cast<std::size_t>(n));
        std::string out;
        for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
          const std::string line = buf.substr(0, nl);
          buf.erase(0, nl + 1);
          const auto id = line.find("\"id\":");
          const auto end = line.rfind('}');
          out += id == std::string::npos ? std::string(R"({"return": {}})")
                                         : R"({"return": {}, "id": )" + line.substr(id + 5, end - id - 5) + "}";
          out += "\r\n";
        }
        if (!write_all(c, out)) break;
      }
      ::close(c);
    }
  }
  std::string path_;
  int fd_ = -1;
  std::thread thread_;
};

// `qmpc -s UPSTREAM proxy --listen PATH` as a child process, stopped with SIGTERM.
class ProxyProcess {
 public:
  ProxyProcess(const std::string& upstream, std::string path) : path_(std::move(path)) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const char* argv[] = {QMPC_BINARY, "-s", upstream.c_str(), "proxy", "--listen", path_.c_str(), nullptr};
      ::execv(QMPC_BINARY, const_cast<char* const*>(argv));
      std::_Exit(127);
    }
    if (pid_ < 0) throw std::runtime_error("cannot start " + std::string(QMPC_BINARY));
  }
  ~ProxyProcess() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;
  // A negotiated client once the proxy listens (it connects to its monitor first).
  std::unique_ptr<qmpc_bench::RawClient> client() const {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    for (;;) {
      try {
        return std::make_unique<qmpc_bench::RawClient>(path_, false);
      } catch (const std::runtime_error&) {
        if (std::chrono::steady_clock::now() > deadline) throw;
        std::this_thread::sleep_for(20ms);
      }
    }
  }

 private:
  std::string path_;
  pid_t pid_ = -1;
};

// Microseconds per command of `n` sequential query-status on `c`; ids continue from `next_id`.
double us_per_command(qmpc_bench::RawClient& c, int n, std::size_t& next_id) {
  std::vector<std::string> cmds;
  for (int i = 0; i < n; ++i) cmds.push_back(qmpc_bench::raw_command("query-status", next_id++));
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& cmd : cmds) {
    c.write_all(cmd);
    c.read_line();
  }
  return Seconds(std::chrono::steady_clock::now() - t0).count() * 1e6 / n;
}

// Interleaved rounds on the two clients; reports the medians, their difference and ratio as `name.*`.
void compare(const std::string& name, qmpc_bench::RawClient& direct, qmpc_bench::RawClient& proxied, int n,
             int rounds) {
  std::size_t direct_id = 2, proxied_id = 2;
  us_per_command(direct, n / 10 + 1, direct_id);  // warm-up
  us_per_command(proxied, n / 10 + 1, proxied_id);
  std::vector<double> d, p;
  for (int r = 0; r < rounds; ++r) {
    d.push_back(us_per_command(direct, n, direct_id));
    p.push_back(us_per_command(proxied, n, proxied_id));
  }
  const double md = qmpc_bench::median(d), mp = qmpc_bench::median(p);
  qmpc_bench::report("proxy." + name + ".direct_us_per_cmd", md, "us", 1);
  qmpc_bench::report("proxy." + name + ".proxied_us_per_cmd", mp, "us", 1);
  qmpc_bench::report("proxy." + name + ".added_us_per_cmd", mp - md, "us", 1);
  qmpc_bench::report_ratio("proxy." + name + ".proxied_vs_direct", mp / md);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"the latency qmpc proxy adds to sequential round trips, against QEMU and a fake monitor"};
  struct Sizes {
    int qemu = 2000, fake = 20000, rounds = 7;
  } sizes;
  app.add_flag_callback("--quick", [&] { sizes = Sizes{200, 2000, 3}; }, "few commands and rounds (smoke run)");
  app.add_option("--commands", sizes.qemu, "sequential commands per run against QEMU");
  app.add_option("--fake-commands", sizes.fake, "sequential commands per run against the fake monitor");
  app.add_option("--rounds", sizes.rounds, "interleaved rounds (median reported)");
  CLI11_PARSE(app, argc, argv);
  try {
    qmpc_bench::TempDir dir("qmpc-proxy-bench-");
    qmpc_bench::note("proxy: " + std::to_string(sizes.qemu) + " (QEMU) / " + std::to_string(sizes.fake) +
                     " (fake monitor) sequential query-status per run, raw client, " + std::to_string(sizes.rounds) +
                     " interleaved rounds direct / through qmpc proxy, medians");
    {
      FakeMonitor near(dir.file("fake-direct.sock")), far(dir.file("fake-proxied.sock"));
      ProxyProcess proxy(far.path(), dir.file("fake-proxy.sock"));
      qmpc_bench::RawClient direct(near.path(), false);
      auto proxied = proxy.client();
      compare("fake", direct, *proxied, sizes.fake, sizes.rounds);
    }
    boost::asio::io_context ioc;
    const std::string second = dir.file("qemu-direct.sock");
    qmpc_bench::UnixSocketQemu qemu(ioc, {"-qmp", "unix:" + second + ",server=on,wait=off"});
    {
      ProxyProcess proxy(qemu.socket_path(), dir.file("qemu-proxy.sock"));
      qmpc_bench::RawClient direct(second, false);
      auto proxied = proxy.client();
      compare("qemu", direct, *proxied, sizes.qemu, sizes.rounds);
    }
    qemu.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "proxy_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
