#include "support/mirror_run.hpp"

#include "support/run.hpp"

#include <stdexcept>

namespace qmpc_bench {

using namespace std::chrono_literals;

boost::asio::awaitable<void> mirror_and_pivot(qmp::Session& s, const MirrorSpec& spec, qmp::Clock::duration timeout) {
  // Opened before the start command: the created/running events precede its reply.
  auto sub = s.subscribe({{"JOB_STATUS_CHANGE", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"}, {}},
                         {1024, qmp::OverflowPolicy::fail});
  const std::string args = qmp::json::Object()
                               .add("device", spec.device)
                               .add("job-id", spec.job_id)
                               .add("target", spec.target)
                               .add("sync", "full")
                               .add("format", spec.format)
                               .str();
  auto [ec, r] = co_await s.async_execute("drive-mirror", args, tuple_awaitable);
  if (ec) throw std::runtime_error("drive-mirror: " + r.diagnostics.describe(ec));
  const auto deadline = qmp::Clock::now() + timeout;
  std::string error;
  bool completed = false;
  for (;;) {
    auto [eec, ev] = co_await sub.async_next(std::max<qmp::Clock::duration>(deadline - qmp::Clock::now(), 0s),
                                             tuple_awaitable);
    if (eec) throw std::runtime_error("mirror " + spec.job_id + ": " + eec.message());
    const auto& data = *ev.data();
    const bool ours = qmp::json::get_string(data, "id") == spec.job_id ||
                      qmp::json::get_string(data, "device") == spec.job_id;
    if (!ours) continue;
    if (ev.event_name() == "BLOCK_JOB_CANCELLED") throw std::runtime_error("mirror " + spec.job_id + " cancelled");
    if (ev.event_name() == "BLOCK_JOB_COMPLETED") {
      completed = true;
      error = std::string(qmp::json::get_string(data, "error").value_or(""));
      continue;
    }
    const auto status = qmp::json::get_string(data, "status").value_or("");
    if (status == "ready") {
      const std::string dev = qmp::json::Object().add("device", spec.job_id).str();
      auto [cec, cr] = co_await s.async_execute("block-job-complete", dev, tuple_awaitable);
      if (cec) throw std::runtime_error("block-job-complete: " + cr.diagnostics.describe(cec));
    } else if (status == "null") {
      break;
    }
  }
  if (!completed || !error.empty()) throw std::runtime_error("mirror " + spec.job_id + " failed: " + error);
  auto [qec, qr] = co_await s.async_execute("query-block", "", tuple_awaitable);
  if (qec) throw std::runtime_error("query-block: " + qr.diagnostics.describe(qec));
  for (const auto& dev : qr.value().GetArray()) {
    if (qmp::json::get_string(dev, "device") != spec.device) continue;
    const auto* inserted = qmp::json::find(dev, "inserted");
    if (inserted && qmp::json::get_string(*inserted, "file") == spec.target) co_return;
  }
  throw std::runtime_error("after the pivot the active image of " + spec.device + " is not " + spec.target + ": " +
                           qmp::json::to_string(qr.value()));
}

}  // namespace qmpc_bench
