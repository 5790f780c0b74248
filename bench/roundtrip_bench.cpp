// Round trips against a bare QEMU 7.2: qmpc's Session against the raw baseline client (blocking socket, bytes
// out, read to newline, no JSON), on the same QEMU, in interleaved runs (raw, qmpc, raw, qmpc, ...).
//
//   sequential  N query-status, each waiting for its reply (no oob: QEMU handles one command at a time)
//   pipelined   N query-status written at once, replies read as they come (oob negotiated, so QEMU queues up
//               to 8 in-band commands instead of suspending its monitor after each one)
//
// Prints the median rate of each client and the ratio qmpc / raw (goal: >= 1.0).
#include "support/qemu.hpp"
#include "support/raw_client.hpp"
#include "support/report.hpp"
#include "support/run.hpp"

#include "qmp/machine.hpp"
#include "qmp/session.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_bench::tuple_awaitable;
using Seconds = std::chrono::duration<double>;

double raw_sequential(const std::string& path, int n) {
  qmpc_bench::RawClient c(path, false);
  // The very bytes qmpc sends: ids count up from 2 (1 went to qmp_capabilities). QEMU reads its input one byte
  // per system call, so even the length of the ids shows in the rate.
  std::vector<std::string> cmds;
  for (int i = 0; i < n; ++i) cmds.push_back(qmpc_bench::raw_command("query-status", static_cast<std::size_t>(i + 2)));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    c.write_all(cmds[static_cast<std::size_t>(i)]);
    c.read_line();
  }
  return n / Seconds(std::chrono::steady_clock::now() - t0).count();
}

double raw_pipelined(const std::string& path, int n) {
  qmpc_bench::RawClient c(path, true);
  std::string all;
  for (int i = 0; i < n; ++i) all += qmpc_bench::raw_command("query-status", static_cast<std::size_t>(i + 2));
  const auto t0 = std::chrono::steady_clock::now();
  // A writer thread, so that neither side can block the other on a full socket buffer.
  std::thread writer([&] { c.write_all(all); });
  c.skip_lines(static_cast<std::size_t>(n));
  const auto t1 = std::chrono::steady_clock::now();
  writer.join();
  return n / Seconds(t1 - t0).count();
}

asio::awaitable<double> qmpc_sequential(const std::string& path, int n) {
  qmp::Session s(co_await asio::this_coro::executor);
  auto [cec] = co_await s.async_connect(path, tuple_awaitable);
  if (cec) throw std::runtime_error("qmpc connect: " + cec.message());
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto [ec, r] = co_await s.async_execute("query-status", "", tuple_awaitable);
    if (ec) throw std::runtime_error("query-status: " + ec.message());
  }
  co_return n / Seconds(std::chrono::steady_clock::now() - t0).count();
}

asio::awaitable<double> qmpc_pipelined(const std::string& path, int n) {
  qmp::SessionOptions o;
  o.enable_oob = true;
  qmp::Session s(co_await asio::this_coro::executor, o);
  auto [cec] = co_await s.async_connect(path, tuple_awaitable);
  if (cec) throw std::runtime_error("qmpc connect: " + cec.message());
  if (!s.oob_enabled()) throw std::runtime_error("oob not negotiated");
  int done = 0, failed = 0;
  asio::steady_timer all_done(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  const auto t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point t1;
  for (int i = 0; i < n; ++i) {
    s.async_execute("query-status", "", [&](qmp::error_code ec, qmp::Reply) {
      if (ec) ++failed;
      if (++done == n) {
        t1 = std::chrono::steady_clock::now();
        all_done.cancel();
      }
    });
  }
  co_await all_done.async_wait(tuple_awaitable);
  if (failed) throw std::runtime_error(std::to_string(failed) + " pipelined commands failed");
  co_return n / Seconds(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qmpc round trips against a bare QEMU, compared with a raw socket client"};
  int commands = 2000, pipelined = 5000, rounds = 7;
  app.add_option("--commands", commands, "sequential commands per run");
  app.add_option("--pipelined", pipelined, "pipelined commands per run");
  app.add_option("--rounds", rounds, "interleaved rounds (median reported)");
  bool quick = false;
  app.add_flag("--quick", quick, "few commands and rounds (smoke run)");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    commands = 200;
    pipelined = 500;
    rounds = 3;
  }

  try {
    asio::io_context ioc;
    qmpc_bench::UnixSocketQemu qemu(ioc);
    const std::string path = qemu.socket_path();

    auto qmpc_run = [&](auto body) {
      double rate = 0;
      qmpc_bench::run_coroutine(
          ioc, [&]() -> asio::awaitable<void> { rate = co_await body(); }, 120s);
      return rate;
    };

    // One warm-up of each.
    raw_sequential(path, commands / 10 + 1);
    qmpc_run([&] { return qmpc_sequential(path, commands / 10 + 1); });

    std::vector<double> raw_seq, qmpc_seq, raw_pipe, qmpc_pipe;
    for (int r = 0; r < rounds; ++r) {
      raw_seq.push_back(raw_sequential(path, commands));
      qmpc_seq.push_back(qmpc_run([&] { return qmpc_sequential(path, commands); }));
      raw_pipe.push_back(raw_pipelined(path, pipelined));
      qmpc_pipe.push_back(qmpc_run([&] { return qmpc_pipelined(path, pipelined); }));
    }
    const double rs = qmpc_bench::median(raw_seq), qs = qmpc_bench::median(qmpc_seq);
    const double rp = qmpc_bench::median(raw_pipe), qp = qmpc_bench::median(qmpc_pipe);
    qmpc_bench::note("round trips: " + std::to_string(commands) + " sequential / " + std::to_string(pipelined) +
                     " pipelined query-status per run, " + std::to_string(rounds) + " interleaved rounds, medians");
    qmpc_bench::report("roundtrip.sequential.raw", rs, "cmd/s", 0);
    qmpc_bench::report("roundtrip.sequential.qmpc", qs, "cmd/s", 0);
    qmpc_bench::report("roundtrip.pipelined_oob.raw", rp, "cmd/s", 0);
    qmpc_bench::report("roundtrip.pipelined_oob.qmpc", qp, "cmd/s", 0);
    qmpc_bench::report_ratio("roundtrip.sequential.qmpc_vs_raw", qs / rs);
    qmpc_bench::report_ratio("roundtrip.pipelined_oob.qmpc_vs_raw", qp / rp);
    qmpc_bench::report("roundtrip.sequential.qmpc_us_per_cmd", 1e6 / qs, "us");
    qmpc_bench::report("roundtrip.sequential.raw_us_per_cmd", 1e6 / rs, "us");

    qemu.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "roundtrip_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
