// What `qmpc mirror` prints: JSON lines (--json), the final human line, and the progress bar. Pure formatting.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qmpc::cli {

// The final summary of a mirror run.
struct MirrorSummary {
  std::string result;  // pivoted|finished|ready|detached|failed|cancelled|timeout|interrupted
  std::string job;
  std::uint64_t len = 0;
  std::uint64_t offset = 0;
  std::optional<double> ready_ms;        // start command sent -> first ready signal read
  std::optional<double> done_ms;         // start command sent -> the end
  std::optional<std::int64_t> pivot_us;  // first ready signal read -> completion command written
  std::string error;                     // empty when it ended as asked
};

// {"result":..,"job":..,"len":N,"offset":N,"ready_ms":N|null,"done_ms":N|null,"pivot_us":N|null[,"error":".."]}
std::string summary_json(const MirrorSummary& s);
// "pivoted: job job0, 256 MiB copied; ready after 812 ms, pivot sent 95 us after ready, completed after 830 ms"
// (a finish: "finish sent ... after ready"; only a pivot speaks of a pivot)
std::string summary_line(const MirrorSummary& s);

struct ProgressSample {
  std::uint64_t offset = 0;
  std::uint64_t len = 0;
  std::uint64_t speed = 0;  // the job's limit (0: none)
  double rate = 0;          // measured bytes per second
  std::optional<std::chrono::milliseconds> eta;
  bool ready = false;       // the job's own readiness
  std::string status;       // the job's status as QEMU named it last ("" when not known)
};

// {"type":"progress","t_ms":N,"offset":N,"len":N,"speed":N,"rate":N,"eta_ms":N|null,"ready":B}
std::string progress_json(const ProgressSample& p, double t_ms);
// {"type":"status","t_ms":N,"from":"running","to":"ready"}
std::string status_json(std::string_view from, std::string_view to, double t_ms);
// {"type":<type>,"t_ms":N,<extra members>} ; `extra_members` is JSON member text ("" or "\"a\":1,\"b\":2").
std::string event_json(std::string_view type, double t_ms, std::string_view extra_members = {});

// "[##########..........]  50%  12.0 MiB/s  ETA 3s", `width` columns of bar. A status other than running (ready,
// paused, standby, waiting, ...) is shown instead of the ETA. The bar is never full, nor 100% shown, while the job
// is not ready: offset == len does not mean ready.
std::string progress_bar(const ProgressSample& p, int width = 30);

}  // namespace qmpc::cli
