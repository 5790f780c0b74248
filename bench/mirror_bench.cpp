// Mirror throughput: a fully written qcow2 image (1 GiB; 128 MiB with --quick) mirrored by drive-mirror on a bare
// QEMU and pivoted, driven by qmpc, against `qemu-img convert -t writeback -O qcow2` of the same image (the
// data-copy limit on this disk). Runs alternate (convert, mirror, ...) after one warm-up convert; medians.
// Each mirror runs on a freshly started QEMU (its start is not timed) so every run copies the same source.
// Goal: mirror + pivot <= 1.2x the convert time.
#include "support/images.hpp"
#include "support/mirror_run.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/report.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

#include "qmp/machine.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using qmpc_bench::tuple_awaitable;
using Seconds = std::chrono::duration<double>;

double convert_seconds(const std::string& src, const std::string& dst) {
  const auto t0 = std::chrono::steady_clock::now();
  qmpc_bench::run_tool_or_throw({"qemu-img", "convert", "-t", "writeback", "-O", "qcow2", src, dst});
  const double s = Seconds(std::chrono::steady_clock::now() - t0).count();
  std::filesystem::remove(dst);
  return s;
}

double mirror_seconds(const std::string& src, const std::string& dst, bool compare) {
  asio::io_context ioc;
  qmp::Machine machine(ioc.get_executor(),
                       qmpc_bench::bare_qemu({"-drive", "if=none,id=disk0,format=qcow2,node-name=src0,file=" + src}));
  double seconds = 0;
  qmpc_bench::run_coroutine(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto [ec] = co_await machine.async_start(tuple_awaitable);
        if (ec) throw std::runtime_error("QEMU did not start: " + machine.diagnostics().what);
        const qmpc_bench::MirrorSpec spec{"disk0", "job0", dst, "qcow2"};
        const auto t0 = std::chrono::steady_clock::now();
        co_await qmpc_bench::mirror_and_pivot(machine.session(), spec, 600s);
        seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
        co_await machine.async_stop(qmp::StopOptions{}, tuple_awaitable);
      },
      900s);
  if (compare && !qmpc_bench::images_identical(src, dst)) throw std::runtime_error("the mirror differs from its source");
  std::filesystem::remove(dst);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mirror + pivot of a fully written image against qemu-img convert"};
  std::uint64_t size_mib = 1024;
  int rounds = 3;
  bool quick = false;
  app.add_option("--size-mib", size_mib, "image size in MiB (fully written)");
  app.add_option("--rounds", rounds, "interleaved rounds (median reported)");
  app.add_flag("--quick", quick, "a 128 MiB image, one round (smoke run)");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    size_mib = 128;
    rounds = 1;
  }
  try {
    qmpc_bench::TempDir dir;
    const std::string src = dir.file("src.qcow2"), dst = dir.file("dst.qcow2");
    qmpc_bench::create_written_qcow2(src, size_mib * qmpc_bench::MiB);
    convert_seconds(src, dst);  // warm-up: the source in the page cache for both
    std::vector<double> convert, mirror;
    for (int r = 0; r < rounds; ++r) {
      convert.push_back(convert_seconds(src, dst));
      mirror.push_back(mirror_seconds(src, dst, r == 0));
    }
    const double c = qmpc_bench::median(convert), m = qmpc_bench::median(mirror);
    qmpc_bench::note("mirror: " + std::to_string(size_mib) + " MiB fully written qcow2, " + std::to_string(rounds) +
                     " interleaved rounds, medians; first mirror compared identical with qemu-img compare");
    qmpc_bench::report("mirror.qemu_img_convert", c, "s", 3);
    qmpc_bench::report("mirror.mirror_and_pivot", m, "s", 3);
    qmpc_bench::report("mirror.mirror_throughput", static_cast<double>(size_mib) / m, "MiB/s", 0);
    qmpc_bench::report_ratio("mirror.mirror_vs_convert", m / c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mirror_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
