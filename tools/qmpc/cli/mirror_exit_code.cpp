#include "cli/mirror_exit_code.hpp"

namespace qmpc::cli {
namespace {

bool ended_as_asked(mirror::Outcome o) noexcept {
  return o == mirror::Outcome::pivoted || o == mirror::Outcome::finished || o == mirror::Outcome::completed ||
         o == mirror::Outcome::ready || o == mirror::Outcome::detached;
}

}  // namespace

MirrorVerdict mirror_verdict(const MirrorRunEnd& end) noexcept {
  const auto& ec = end.ec;
  if (!ec && ended_as_asked(end.outcome)) return {MirrorEnding::as_asked, ExitCode::ok};
  if (ec == mirror::errc::abandoned) return {MirrorEnding::abandoned, ExitCode::interrupted};
  if (end.interrupted) return {MirrorEnding::interrupted, ExitCode::interrupted};
  if (end.timed_out || ec == mirror::errc::deadline_expired) return {MirrorEnding::timed_out, ExitCode::deadline};
  if (ec == mirror::errc::start_failed && end.qemu_error_is_the_cause) return {MirrorEnding::refused, ExitCode::failed};
  if (ec.category() == mirror::category()) {
    const ExitCode code = ec == mirror::errc::outcome_unknown    ? ExitCode::connection
                          : ec == mirror::errc::invalid_options ? ExitCode::usage
                                                                : ExitCode::failed;
    return {MirrorEnding::job_error, code};
  }
  return {MirrorEnding::qmp_error, exit_code_for(ec)};
}

}  // namespace qmpc::cli
