// How fast qmpc reacts to a mirror becoming ready: a small disk is mirrored on a bare QEMU and completed (pivoted)
// as soon as the first ready signal (JOB_STATUS_CHANGE ready) is read. Measured per run:
//
//   client     from reading the ready event to writing block-job-complete (client clock, from a TrafficObserver
//              that sees each message as it is framed or queued for writing)
//   loop       from the ready event to the waiting event that the complete causes, by QEMU's own event
//              timestamps (includes QEMU writing, the kernel, qmpc, and QEMU reading the command byte by byte)
//
// against the polling baseline of virsh: query-block-jobs every 500 ms, complete on the first poll that reports
// ready. A third kind of run goes through qmpc's mirror runner (mirror::MirrorJob, the job state machine on a
// Session), as the qmpc tool does. Runs alternate (event, runner, poll, ...) on one QEMU; medians reported.
// Goal: client <= 50 us.
#include "support/images.hpp"
#include "support/mirror_run.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/report.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"
#include "support/traffic_clock.hpp"

#include "qmp/machine.hpp"
#include "qmp/session.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_bench::tuple_awaitable;
using Micros = std::chrono::duration<double, std::micro>;

struct RunResult {
  double client_us = 0;         // ready read -> complete written (client clock)
  double delivery_us = 0;       // ready read -> the waiting coroutine resumed with it
  double execute_us = 0;        // coroutine resumed -> complete queued for writing
  double loop_qemu_us = 0;      // ready -> waiting (QEMU timestamps)
  double loop_client_us = 0;    // ready read -> waiting read (client clock)
};

std::string status_of(const qmp::Message& m) {
  return std::string(qmp::json::get_string(*m.data(), "status").value_or(""));
}

// One mirror to `target`, completed on the ready event (poll = false) or on the first poll that says ready.
asio::awaitable<RunResult> run_once(qmp::Session& s, qmpc_bench::TrafficClock& clock, const std::string& target,
                                    bool poll) {
  clock.clear();
  auto sub = s.subscribe({{"JOB_STATUS_CHANGE"}, qmp::EventFilter::data_equals("id", "job0")},
                         {1024, qmp::OverflowPolicy::fail});
  const std::string args = qmp::json::Object()
                               .add("device", "disk0")
                               .add("job-id", "job0")
                               .add("target", target)
                               .add("sync", "full")
                               .add("format", "qcow2")
                               .str();
  auto [ec, r] = co_await s.async_execute("drive-mirror", args, tuple_awaitable);
  if (ec) throw std::runtime_error("drive-mirror: " + r.diagnostics.describe(ec));
  std::optional<qmp::Message> ready, waiting;
  qmp::Clock::time_point resumed{};
  bool complete_sent = false;
  auto complete = [&]() -> asio::awaitable<void> {
    complete_sent = true;
    auto [cec, cr] = co_await s.async_execute("block-job-complete", R"({"device":"job0"})", tuple_awaitable);
    if (cec) throw std::runtime_error("block-job-complete: " + cr.diagnostics.describe(cec));
  };
  auto next_poll = qmp::Clock::now() + 500ms;
  for (;;) {
    const auto wait = poll && !complete_sent ? std::max<qmp::Clock::duration>(next_poll - qmp::Clock::now(), 0s) : 30s;
    auto [eec, ev] = co_await sub.async_next(wait, tuple_awaitable);
    if (eec == qmp::errc::timeout && poll && !complete_sent) {
      next_poll += 500ms;
      auto [qec, qr] = co_await s.async_execute("query-block-jobs", "", tuple_awaitable);
      if (qec) throw std::runtime_error("query-block-jobs: " + qr.diagnostics.describe(qec));
      for (const auto& job : qr.value().GetArray()) {
        if (qmp::json::get_string(job, "device") == "job0" && qmp::json::get_bool(job, "ready") == true) {
          co_await complete();
        }
      }
      continue;
    }
    if (eec) throw std::runtime_error("events: " + eec.message());
    const auto now = qmp::Clock::now();
    const std::string st = status_of(ev);
    if (st == "ready" && !ready) {
      ready = ev;
      resumed = now;
      if (!poll) co_await complete();
    } else if (st == "waiting") {
      waiting = ev;
    } else if (st == "null") {
      break;
    }
  }
  if (!ready || !waiting) throw std::runtime_error("the job did not pass through ready and waiting");
  const auto ready_in = clock.find(qmp::Direction::from_qemu, 0, {"JOB_STATUS_CHANGE", "\"ready\""});
  const auto complete_out = clock.find(qmp::Direction::to_qemu, 0, {"block-job-complete"});
  const auto waiting_in = clock.find(qmp::Direction::from_qemu, 0, {"JOB_STATUS_CHANGE", "\"waiting\""});
  if (!ready_in || !complete_out || !waiting_in) throw std::runtime_error("traffic not observed");
  RunResult out;
  out.client_us = Micros(complete_out->time - ready_in->time).count();
  out.delivery_us = Micros(resumed - ready_in->time).count();
  out.execute_us = Micros(complete_out->time - resumed).count();
  out.loop_qemu_us = static_cast<double>(waiting->timestamp_us() - ready->timestamp_us());
  out.loop_client_us = Micros(waiting_in->time - ready_in->time).count();
  co_return out;
}

// The same mirror through qmpc's mirror runner (mirror::MirrorJob), which decides through the job state machine.
// Returns the client part from the observer (ready framed -> completion command queued) and the runner's own.
asio::awaitable<std::pair<double, double>> run_runner(qmp::Session& s, qmpc_bench::TrafficClock& clock,
                                                      const qmpc_bench::MirrorSpec& spec) {
  clock.clear();
  const mirror::MirrorResult result = co_await qmpc_bench::mirror_and_pivot(s, spec, 60s);
  const auto ready_in = clock.find(qmp::Direction::from_qemu, 0, {"JOB_STATUS_CHANGE", "\"ready\""});
  if (!ready_in) throw std::runtime_error("runner: ready not observed");
  const auto complete_out = clock.find(qmp::Direction::to_qemu, ready_in->seq, {"-complete\""});
  if (!complete_out) throw std::runtime_error("runner: completion command not observed");
  co_return std::pair{Micros(complete_out->time - ready_in->time).count(),
                      static_cast<double>(result.pivot_us.value_or(-1))};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"reaction to a mirror's ready signal: qmpc on the event against polling every 500 ms"};
  int rounds = 15, poll_rounds = 5;
  bool quick = false;
  app.add_option("--rounds", rounds, "event-driven runs");
  app.add_option("--poll-rounds", poll_rounds, "polling runs (interleaved with the first event-driven ones)");
  app.add_flag("--quick", quick, "5 event-driven and 2 polling runs (smoke run)");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    rounds = 5;
    poll_rounds = 2;
  }
  try {
    qmpc_bench::TempDir dir;
    const std::string src = dir.file("src.qcow2");
    qmpc_bench::run_tool_or_throw({"qemu-img", "create", "-q", "-f", "qcow2", src, "64M"});
    qmpc_bench::run_tool_or_throw({"qemu-io", "-f", "qcow2", "-c", "write -q -P 0x5a 0 16M", src});

    asio::io_context ioc;
    auto clock = std::make_shared<qmpc_bench::TrafficClock>();
    auto mo = qmpc_bench::bare_qemu({"-drive", "if=none,id=disk0,format=qcow2,node-name=src0,file=" + src});
    mo.session.observer = clock;
    qmp::Machine machine(ioc.get_executor(), mo);
    std::vector<double> delivery, execute, runner_client, runner_own;
    std::vector<double> client, loop_qemu, loop_client, poll_loop_qemu;
    qmpc_bench::run_coroutine(
        ioc,
        [&]() -> asio::awaitable<void> {
          auto [ec] = co_await machine.async_start(tuple_awaitable);
          if (ec) throw std::runtime_error("QEMU did not start: " + machine.diagnostics().what);
          auto& s = machine.session();
          int n = 0;
          for (int r = 0; r < std::max(rounds, poll_rounds); ++r) {
            if (r < rounds) {
              const RunResult e = co_await run_once(s, *clock, dir.file("t" + std::to_string(n++) + ".qcow2"), false);
              client.push_back(e.client_us);
              delivery.push_back(e.delivery_us);
              execute.push_back(e.execute_us);
              loop_qemu.push_back(e.loop_qemu_us);
              loop_client.push_back(e.loop_client_us);
            }
            if (r < rounds) {
              const qmpc_bench::MirrorSpec spec{"disk0", "job" + std::to_string(n),
                                                dir.file("t" + std::to_string(n) + ".qcow2"), "qcow2"};
              ++n;
              const auto [client_us, own_us] = co_await run_runner(s, *clock, spec);
              runner_client.push_back(client_us);
              runner_own.push_back(own_us);
            }
            if (r < poll_rounds) {
              const RunResult p = co_await run_once(s, *clock, dir.file("t" + std::to_string(n++) + ".qcow2"), true);
              poll_loop_qemu.push_back(p.loop_qemu_us);
            }
          }
          // The disk now sits on the last target: the pivots took effect.
          auto [qec, qr] = co_await s.async_execute("query-block", "", tuple_awaitable);
          const std::string text = qmp::json::to_string(qr.value());
          if (qec || text.find("t" + std::to_string(n - 1) + ".qcow2") == std::string::npos) {
            throw std::runtime_error("the last pivot is not visible in query-block: " + text);
          }
          co_await machine.async_stop(qmp::StopOptions{}, tuple_awaitable);
        },
        600s);
    qmpc_bench::note("reaction: 16 MiB mirrored per run, " + std::to_string(rounds) + " event-driven and " +
                     std::to_string(poll_rounds) + " polling runs, medians (p90 where shown)");
    qmpc_bench::report("reaction.client_ready_to_complete", qmpc_bench::median(client), "us", 1);
    qmpc_bench::report("reaction.client_ready_to_complete_p90", qmpc_bench::percentile(client, 90), "us", 1);
    qmpc_bench::report("reaction.client_event_delivery", qmpc_bench::median(delivery), "us", 1);
    qmpc_bench::report("reaction.client_execute_to_write", qmpc_bench::median(execute), "us", 1);
    qmpc_bench::report("reaction.runner_ready_to_complete", qmpc_bench::median(runner_client), "us", 1);
    qmpc_bench::report("reaction.runner_ready_to_complete_p90", qmpc_bench::percentile(runner_client, 90), "us", 1);
    qmpc_bench::report("reaction.runner_own_pivot_us", qmpc_bench::median(runner_own), "us", 1);
    qmpc_bench::report("reaction.ready_to_waiting_qemu_clock", qmpc_bench::median(loop_qemu), "us", 1);
    qmpc_bench::report("reaction.ready_to_waiting_client_clock", qmpc_bench::median(loop_client), "us", 1);
    qmpc_bench::report("reaction.polling_ready_to_waiting_qemu_clock", qmpc_bench::median(poll_loop_qemu), "us", 0);
    qmpc_bench::report_ratio("reaction.event_vs_polling",
                             qmpc_bench::median(poll_loop_qemu) / qmpc_bench::median(loop_qemu));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reaction_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
