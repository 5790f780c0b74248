#include "support/mirror_run.hpp"

#include "support/run.hpp"

#include "mirror/mirror_job.hpp"

#include <stdexcept>

namespace qmpc_bench {

using namespace std::chrono_literals;

boost::asio::awaitable<mirror::MirrorResult> mirror_and_pivot(qmp::Session& s, const MirrorSpec& spec,
                                                              qmp::Clock::duration timeout) {
  mirror::MirrorOptions o;
  o.device = spec.device;
  o.target = mirror::DriveTarget{spec.target, spec.format, mirror::DriveTarget::Mode::absolute_paths};
  o.job_id = spec.job_id;
  o.end_mode = mirror::EndMode::pivot;
  o.ready_timeout = timeout;
  o.completion_timeout = timeout;
  mirror::MirrorJob job(s, o);
  auto [ec, result] = co_await job.async_run(tuple_awaitable);
  if (ec || result.outcome != mirror::Outcome::pivoted) {
    throw std::runtime_error("mirror " + spec.job_id + " did not pivot: " + std::string(mirror::to_string(result.outcome)) +
                             ": " + result.diagnostics.text());
  }
  auto [qec, qr] = co_await s.async_execute("query-block", "", tuple_awaitable);
  if (qec) throw std::runtime_error("query-block: " + qr.diagnostics.describe(qec));
  for (const auto& dev : qr.value().GetArray()) {
    if (qmp::json::get_string(dev, "device") != spec.device) continue;
    const auto* inserted = qmp::json::find(dev, "inserted");
    if (inserted && qmp::json::get_string(*inserted, "file") == spec.target) co_return result;
  }
  throw std::runtime_error("after the pivot the active image of " + spec.device + " is not " + spec.target + ": " +
                           qmp::json::to_string(qr.value()));
}

}  // namespace qmpc_bench
