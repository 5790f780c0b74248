// One qmpc process driving many bare QEMUs at once (64 by default), each mirroring a small disk and pivoting on
// its ready event; every pivot is checked with query-block. Reports the client's CPU time per job (getrusage
// RUSAGE_SELF: this process only, QEMUs are children and not counted) for the mirror phase alone and for the whole
// run (spawning and stopping the QEMUs included), and the wall time of the mirror phase. A traffic observer on every
// session (its cost is in the CPU figures) times each job's reaction (the ready signal read -> the completion
// command written) and each command's round trip (written -> its reply read): p50 and p99 over all machines.
#include "support/mirror_run.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/report.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"
#include "support/traffic_clock.hpp"
#include "support/usage.hpp"

#include "qmp/json.hpp"
#include "qmp/machine.hpp"

#include <CLI/CLI.hpp>

#include <boost/asio/detached.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_bench::tuple_awaitable;
using Seconds = std::chrono::duration<double>;

using Micros = std::chrono::duration<double, std::micro>;

// The reaction of the session's one job: from the first ready signal read to the completion command written.
std::optional<double> reaction_us(const qmpc_bench::TrafficClock& clock) {
  auto ready = clock.find(qmp::Direction::from_qemu, 0, {"JOB_STATUS_CHANGE", "\"ready\""});
  const auto legacy = clock.find(qmp::Direction::from_qemu, 0, {"BLOCK_JOB_READY"});
  if (!ready || (legacy && legacy->seq < ready->seq)) ready = legacy;
  if (!ready) return std::nullopt;
  const auto complete = clock.find(qmp::Direction::to_qemu, ready->seq, {"-complete\""});
  if (!complete) return std::nullopt;
  return Micros(complete->time - ready->time).count();
}

std::optional<std::uint64_t> id_of(const std::string& json) {
  const auto d = qmp::json::parse_object(json);
  return d ? qmp::json::get_uint(*d, "id") : std::nullopt;
}

// Every command's round trip: written -> the reply with its id read.
void round_trips_us(const qmpc_bench::TrafficClock& clock, std::vector<double>& out) {
  const auto& all = clock.entries();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].direction != qmp::Direction::to_qemu) continue;
    const auto id = id_of(all[i].json);
    if (!id) continue;
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      if (all[j].direction == qmp::Direction::from_qemu && all[j].json.find("\"event\"") == std::string::npos &&
          id_of(all[j].json) == id) {
        out.push_back(Micros(all[j].time - all[i].time).count());
        break;
      }
    }
  }
}

// Runs `count` copies of the coroutine made by make(i) concurrently; throws the first failure.
template <typename Make>
asio::awaitable<void> all_of(int count, Make make) {
  auto ex = co_await asio::this_coro::executor;
  int left = count;
  std::exception_ptr first;
  asio::steady_timer done(ex, asio::steady_timer::time_point::max());
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(ex, make(i), [&](std::exception_ptr e) {
      if (e && !first) first = e;
      if (--left == 0) done.cancel();
    });
  }
  co_await done.async_wait(tuple_awaitable);
  if (first) std::rethrow_exception(first);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"one qmpc process mirroring on many QEMUs at once"};
  int machines = 64;
  bool quick = false;
  app.add_option("--machines", machines, "QEMU processes (one mirror each)");
  app.add_flag("--quick", quick, "8 machines (smoke run)");
  CLI11_PARSE(app, argc, argv);
  if (quick) machines = 8;
  try {
    qmpc_bench::TempDir dir;
    const std::string base = dir.file("base.qcow2");
    qmpc_bench::run_tool_or_throw({"qemu-img", "create", "-q", "-f", "qcow2", base, "32M"});
    qmpc_bench::run_tool_or_throw({"qemu-io", "-f", "qcow2", "-c", "write -q -P 0x5a 0 8M", base});
    std::vector<std::string> sources, targets;
    for (int i = 0; i < machines; ++i) {
      sources.push_back(dir.file("src" + std::to_string(i) + ".qcow2"));
      targets.push_back(dir.file("dst" + std::to_string(i) + ".qcow2"));
      std::filesystem::copy_file(base, sources.back());
    }

    asio::io_context ioc;
    std::vector<std::unique_ptr<qmp::Machine>> vms;
    std::vector<qmpc_bench::MirrorSpec> specs;
    std::vector<std::shared_ptr<qmpc_bench::TrafficClock>> clocks;
    for (int i = 0; i < machines; ++i) {
      auto o = qmpc_bench::bare_qemu({"-drive", "if=none,id=disk0,format=qcow2,node-name=src0,file=" + sources[i]});
      o.start_timeout = 120s;
      clocks.push_back(std::make_shared<qmpc_bench::TrafficClock>());
      o.session.observer = clocks.back();
      vms.push_back(std::make_unique<qmp::Machine>(ioc.get_executor(), std::move(o)));
      specs.push_back({"disk0", "job0", targets[i], "qcow2"});
    }
    double start_s = 0, mirror_s = 0, stop_s = 0, cpu_start = 0, cpu_mirror = 0, cpu_stop = 0;
    const double cpu0 = qmpc_bench::cpu_seconds();
    qmpc_bench::run_coroutine(
        ioc,
        [&]() -> asio::awaitable<void> {
          auto t0 = std::chrono::steady_clock::now();
          co_await all_of(machines, [&](int i) -> asio::awaitable<void> {
            auto [ec] = co_await vms[i]->async_start(tuple_awaitable);
            if (ec) throw std::runtime_error("QEMU " + std::to_string(i) + ": " + vms[i]->diagnostics().what);
          });
          start_s = Seconds(std::chrono::steady_clock::now() - t0).count();
          cpu_start = qmpc_bench::cpu_seconds() - cpu0;

          t0 = std::chrono::steady_clock::now();
          co_await all_of(machines, [&](int i) -> asio::awaitable<void> {
            co_await qmpc_bench::mirror_and_pivot(vms[i]->session(), specs[i], 300s);
          });
          mirror_s = Seconds(std::chrono::steady_clock::now() - t0).count();
          cpu_mirror = qmpc_bench::cpu_seconds() - cpu0 - cpu_start;

          t0 = std::chrono::steady_clock::now();
          co_await all_of(machines, [&](int i) -> asio::awaitable<void> {
            co_await vms[i]->async_stop(qmp::StopOptions{}, tuple_awaitable);
          });
          stop_s = Seconds(std::chrono::steady_clock::now() - t0).count();
          cpu_stop = qmpc_bench::cpu_seconds() - cpu0 - cpu_start - cpu_mirror;
        },
        900s);
    const double n = machines;
    qmpc_bench::note("scale: " + std::to_string(machines) +
                     " bare QEMUs, one 32 MiB qcow2 (8 MiB written) mirrored and pivoted on each, all at once; "
                     "every pivot verified with query-block");
    qmpc_bench::report("scale.machines_pivoted", n, "machines", 0);
    qmpc_bench::report("scale.start_wall", start_s, "s", 3);
    qmpc_bench::report("scale.mirror_wall", mirror_s, "s", 3);
    qmpc_bench::report("scale.stop_wall", stop_s, "s", 3);
    qmpc_bench::report("scale.client_cpu_per_job_mirror", cpu_mirror / n * 1e3, "ms", 3);
    qmpc_bench::report("scale.client_cpu_per_job_total", (cpu_start + cpu_mirror + cpu_stop) / n * 1e3, "ms", 3);
    qmpc_bench::report("scale.client_peak_rss", qmpc_bench::peak_rss_mib(), "MiB", 1);
    std::vector<double> reactions, trips;
    for (const auto& c : clocks) {
      if (auto r = reaction_us(*c)) reactions.push_back(*r);
      round_trips_us(*c, trips);
    }
    if (reactions.size() != clocks.size())
      throw std::runtime_error(std::to_string(clocks.size() - reactions.size()) + " reactions not observed");
    qmpc_bench::report("scale.reaction_p50", qmpc_bench::percentile(reactions, 50), "us", 1);
    qmpc_bench::report("scale.reaction_p99", qmpc_bench::percentile(reactions, 99), "us", 1);
    qmpc_bench::report("scale.round_trip_p50", qmpc_bench::percentile(trips, 50), "us", 1);
    qmpc_bench::report("scale.round_trip_p99", qmpc_bench::percentile(trips, 99), "us", 1);
    qmpc_bench::report("scale.round_trips", static_cast<double>(trips.size()), "commands", 0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scale_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
