// An event flood through qmpc: a fake monitor (a writer thread on a socketpair) answers one command with N
// realistic job events and then the reply. Measured, each mode in its own child process (interleaved rounds,
// medians), so that peak RSS is the mode's own:
//
//   qmpc       qmp::Session: framing, parsing, classification and dispatch to one subscription, drained
//   unwanted   qmp::Session with one subscription to another name: each event's name is read, the event dropped
//   rapidjson  RapidJSON parsing the same bytes from memory, line by line (what parsing alone costs: the limit)
//   newlines   reading the same stream from the socket and counting newlines (the I/O floor)
//
// Goals: qmpc >= 0.9x RapidJSON per CPU second, peak RSS <= 16 MiB; events nobody wants >= 5M/s.
#include "support/event_stream.hpp"
#include "support/process.hpp"
#include "support/report.hpp"
#include "support/run.hpp"

#include "qmp/session.hpp"

#include <CLI/CLI.hpp>
#include <rapidjson/document.h>

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_bench::tuple_awaitable;
using Seconds = std::chrono::duration<double>;

// CPU seconds used by the calling thread (the client's thread, not the fake monitor's).
double thread_cpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

constexpr std::size_t kBlockEvents = 1000;

struct Flood {
  int client_fd = -1;
  std::thread server;
  Flood(const std::string& block, std::size_t repeat) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw std::runtime_error("socketpair");
    client_fd = sv[0];
    server = std::thread([fd = sv[1], &block, repeat] {
      if (!qmpc_bench::serve_event_flood(fd, block, repeat)) std::fprintf(stderr, "flood server: client misbehaved\n");
      ::close(fd);
    });
  }
  ~Flood() { server.join(); }
};

// Runs body(session) on a qmpc session handshaken with a fake monitor that floods `repeat` blocks of events in
// answer to the first command after the handshake.
template <class Body>
void with_flood_session(std::size_t repeat, Body body) {
  const std::string block = qmpc_bench::make_event_block(kBlockEvents);
  Flood flood(block, repeat);
  asio::io_context ioc;
  qmp::Session session(ioc.get_executor());
  session.adopt(flood.client_fd);
  qmpc_bench::run_coroutine(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto [hec] = co_await session.async_handshake(tuple_awaitable);
        if (hec) throw std::runtime_error("handshake: " + hec.message());
        co_await body(session);
        session.close();
      },
      600s);
}

const qmp::CommandOptions kFloodCommand{std::chrono::seconds(600), false, {}};

// Every event delivered to one subscription that wants all of them. Prints "<events> <seconds> <dropped> <cpu>".
int child_qmpc(std::size_t repeat) {
  std::uint64_t events = 0, dropped = 0;
  double seconds = 0, cpu = 0;
  with_flood_session(repeat, [&](qmp::Session& session) -> asio::awaitable<void> {
    auto sub = session.subscribe();
    bool replied = false;
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu();
    session.async_execute("query-status", "", kFloodCommand, [&](qmp::error_code ec, qmp::Reply) {
      if (ec) std::fprintf(stderr, "query-status: %s\n", ec.message().c_str());
      replied = true;
    });
    // The one subscriber: drains what is queued, then waits for more.
    for (;;) {
      while (auto m = sub.try_next()) ++events;
      if (replied && sub.queued() == 0) break;
      auto [ec, m] = co_await sub.async_next(100ms, tuple_awaitable);
      if (!ec) {
        ++events;
      } else if (ec != qmp::errc::timeout) {
        throw std::runtime_error("subscription: " + ec.message());
      }
    }
    seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
    cpu = thread_cpu() - c0;
    dropped = sub.dropped();
  });
  std::printf("%llu %.6f %llu %.6f\n", static_cast<unsigned long long>(events), seconds,
              static_cast<unsigned long long>(dropped), cpu);
  return 0;
}

// Events nobody subscribed to (the one subscription wants another name): the session reads each one's name and
// drops it unparsed. Prints "<events dropped by name> <seconds> <events parsed> <cpu seconds>".
int child_unwanted(std::size_t repeat) {
  qmp::Session::Stats stats;
  double seconds = 0, cpu = 0;
  with_flood_session(repeat, [&](qmp::Session& session) -> asio::awaitable<void> {
    auto sub = session.subscribe({{"NO_SUCH_EVENT"}, {}});
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu();
    auto [ec, r] = co_await session.async_execute("query-status", "", kFloodCommand, tuple_awaitable);
    if (ec) throw std::runtime_error("query-status: " + ec.message());
    seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
    cpu = thread_cpu() - c0;
    stats = session.stats();
  });
  std::printf("%llu %.6f %llu %.6f\n", static_cast<unsigned long long>(stats.events_unparsed), seconds,
              static_cast<unsigned long long>(stats.events - stats.events_unparsed), cpu);
  return 0;
}

// The best RapidJSON can do: each line copied into a reused buffer and parsed in situ, with the value and parse
// allocators on reused buffers (no heap allocation per line). The parse stack asks for less than its buffer holds:
// a MemoryPoolAllocator keeps its chunk header inside a user buffer, so a stack the buffer's full size would not fit
// and would take a 64 KiB chunk (and a base allocator) from the heap at every line.
constexpr std::size_t kParseStackBytes = 4096;

int child_rapidjson(std::size_t repeat) {
  const std::string block = qmpc_bench::make_event_block(kBlockEvents);
  using Allocator = rapidjson::MemoryPoolAllocator<>;
  std::vector<char> value_buffer(16384), parse_buffer(8192), line(4096);
  std::uint64_t events = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu();
  for (std::size_t r = 0; r < repeat; ++r) {
    const char* p = block.data();
    const char* end = p + block.size();
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      const auto len = static_cast<std::size_t>(nl - p - 1);
      std::memcpy(line.data(), p, len);
      line[len] = '\0';
      Allocator values(value_buffer.data(), value_buffer.size());
      Allocator parse(parse_buffer.data(), parse_buffer.size());
      rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator> d(&values, kParseStackBytes, &parse);
      d.ParseInsitu(line.data());
      if (!d.HasParseError() && d.IsObject() && d.HasMember("event")) ++events;
      p = nl + 1;
    }
  }
  const double seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
  std::printf("%llu %.6f 0 %.6f\n", static_cast<unsigned long long>(events), seconds, thread_cpu() - c0);
  return 0;
}

int child_newlines(std::size_t repeat) {
  const std::string block = qmpc_bench::make_event_block(kBlockEvents);
  Flood flood(block, repeat);
  const int fd = flood.client_fd;
  auto write_line = [fd](const char* s) {
    if (::write(fd, s, std::strlen(s)) < 0) throw std::runtime_error("write");
  };
  char buf[65536];
  std::uint64_t lines = 0;
  auto read_counting = [&](std::uint64_t until) {
    while (lines < until) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("read");
      const char* p = buf;
      const char* end = buf + n;
      while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
        ++p;
        ++lines;
      }
    }
  };
  read_counting(1);  // greeting
  write_line("{\"execute\":\"qmp_capabilities\",\"id\":1}\n");
  read_counting(2);
  write_line("{\"execute\":\"query-status\",\"id\":2}\n");
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu();
  read_counting(2 + repeat * kBlockEvents + 1);
  const double seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
  const double cpu = thread_cpu() - c0;
  ::close(fd);
  std::printf("%llu %.6f 0 %.6f\n", static_cast<unsigned long long>(lines - 3), seconds, cpu);
  return 0;
}

struct Sample {
  double rate = 0;
  double cpu_rate = 0;  // events per CPU second of the client's thread
  double rss_mib = 0;
  double cpu_s = 0;
  std::uint64_t events = 0, dropped = 0;
};

Sample run_child(const std::string& mode, std::size_t repeat) {
  auto r = qmpc_bench::run_self({"--child", mode, "--events", std::to_string(repeat * kBlockEvents)});
  if (r.exit_code != 0) throw std::runtime_error("child " + mode + " failed");
  std::istringstream in(r.output);
  unsigned long long events = 0, dropped = 0;
  double seconds = 0, cpu = 0;
  in >> events >> seconds >> dropped >> cpu;
  Sample s;
  s.events = events;
  s.dropped = dropped;
  s.rate = seconds > 0 ? static_cast<double>(events) / seconds : 0;
  s.cpu_rate = cpu > 0 ? static_cast<double>(events) / cpu : 0;
  s.rss_mib = static_cast<double>(r.usage.ru_maxrss) / 1024.0;
  s.cpu_s = static_cast<double>(r.usage.ru_utime.tv_sec + r.usage.ru_stime.tv_sec) +
            static_cast<double>(r.usage.ru_utime.tv_usec + r.usage.ru_stime.tv_usec) / 1e6;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"an event flood through qmpc, against RapidJSON alone and the I/O floor"};
  std::size_t events = 1000000;
  int rounds = 3;
  std::string child;
  bool quick = false;
  app.add_option("--events", events, "events per run (a multiple of 1000)");
  app.add_option("--rounds", rounds, "interleaved rounds (median reported)");
  app.add_option("--child", child, "internal: run one mode and print its figures");
  app.add_flag("--quick", quick, "100,000 events, one round (smoke run)");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    events = 100000;
    rounds = 1;
  }
  const std::size_t repeat = std::max<std::size_t>(1, events / kBlockEvents);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    if (child == "qmpc") return child_qmpc(repeat);
    if (child == "rapidjson") return child_rapidjson(repeat);
    if (child == "unwanted") return child_unwanted(repeat);
    if (child == "newlines") return child_newlines(repeat);
    if (!child.empty()) throw std::runtime_error("unknown mode " + child);

    const std::string block = qmpc_bench::make_event_block(kBlockEvents);
    std::vector<double> q_rate, j_rate, n_rate, q_rss, n_rss, q_cpu, q_crate, j_crate, n_crate, u_rate, u_crate, u_rss;
    std::uint64_t u_parsed = 0;
    std::uint64_t q_events = 0, q_dropped = 0;
    for (int r = 0; r < rounds; ++r) {
      const Sample n = run_child("newlines", repeat);
      const Sample j = run_child("rapidjson", repeat);
      const Sample q = run_child("qmpc", repeat);
      const Sample u = run_child("unwanted", repeat);
      u_rate.push_back(u.rate);
      u_crate.push_back(u.cpu_rate);
      u_rss.push_back(u.rss_mib);
      u_parsed = u.dropped;
      n_rate.push_back(n.rate);
      q_crate.push_back(q.cpu_rate);
      j_crate.push_back(j.cpu_rate);
      n_crate.push_back(n.cpu_rate);
      n_rss.push_back(n.rss_mib);
      j_rate.push_back(j.rate);
      q_rate.push_back(q.rate);
      q_rss.push_back(q.rss_mib);
      q_cpu.push_back(q.cpu_s);
      q_events = q.events;
      q_dropped = q.dropped;
    }
    const double qr = qmpc_bench::median(q_rate), jr = qmpc_bench::median(j_rate), nr = qmpc_bench::median(n_rate);
    qmpc_bench::note("event flood: " + std::to_string(repeat * kBlockEvents) + " events of " +
                     std::to_string(block.size() / kBlockEvents) + " bytes on average, " + std::to_string(rounds) +
                     " interleaved rounds, medians; last qmpc run delivered " + std::to_string(q_events) +
                     " events, dropped " + std::to_string(q_dropped));
    qmpc_bench::report("flood.qmpc", qr / 1e6, "Mevents/s", 3);
    qmpc_bench::report("flood.rapidjson_in_memory", jr / 1e6, "Mevents/s", 3);
    qmpc_bench::report("flood.newline_count_socket", nr / 1e6, "Mevents/s", 3);
    const double qc = qmpc_bench::median(q_crate), jc = qmpc_bench::median(j_crate),
                 nc = qmpc_bench::median(n_crate);
    qmpc_bench::report("flood.qmpc_per_cpu_second", qc / 1e6, "Mevents/s", 3);
    qmpc_bench::report("flood.rapidjson_per_cpu_second", jc / 1e6, "Mevents/s", 3);
    qmpc_bench::report("flood.newline_count_per_cpu_second", nc / 1e6, "Mevents/s", 3);
    qmpc_bench::report("flood.qmpc_peak_rss", qmpc_bench::median(q_rss), "MiB", 1);
    qmpc_bench::report("flood.newline_count_peak_rss", qmpc_bench::median(n_rss), "MiB", 1);
    qmpc_bench::report("flood.qmpc_cpu_per_event", qmpc_bench::median(q_cpu) / static_cast<double>(repeat * kBlockEvents) * 1e9, "ns", 0);
    qmpc_bench::note("events nobody subscribed to: the last run parsed " + std::to_string(u_parsed) + " of them");
    qmpc_bench::report("flood.unwanted_qmpc", qmpc_bench::median(u_rate) / 1e6, "Mevents/s", 3);
    qmpc_bench::report("flood.unwanted_qmpc_per_cpu_second", qmpc_bench::median(u_crate) / 1e6, "Mevents/s", 3);
    qmpc_bench::report("flood.unwanted_qmpc_peak_rss", qmpc_bench::median(u_rss), "MiB", 1);
    qmpc_bench::report_ratio("flood.qmpc_vs_rapidjson", qr / jr);
    qmpc_bench::report_ratio("flood.unwanted_qmpc_vs_newline_count", qmpc_bench::median(u_rate) / nr);
    qmpc_bench::report_ratio("flood.qmpc_vs_newline_count", qr / nr);
    qmpc_bench::report_ratio("flood.qmpc_vs_rapidjson_cpu", qc / jc);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flood_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
