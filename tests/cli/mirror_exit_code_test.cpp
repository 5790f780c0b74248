// The ladder from how a mirror run ended to qmpc mirror's exit code: every branch, and which wins.
#include "cli/mirror_exit_code.hpp"

#include "qmp/error.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::cli::ExitCode;
using qmpc::cli::MirrorEnding;
using qmpc::cli::MirrorRunEnd;
using qmpc::cli::mirror_verdict;
using Outcome = mirror::Outcome;

MirrorRunEnd ended(mirror::error_code ec, Outcome outcome) {
  MirrorRunEnd e;
  e.ec = ec;
  e.outcome = outcome;
  return e;
}

void expect(const MirrorRunEnd& e, MirrorEnding ending, ExitCode code) {
  const auto v = mirror_verdict(e);
  EXPECT_EQ(v.ending, ending);
  EXPECT_EQ(v.code, code);
}

TEST(MirrorExitCode, EndedAsAskedIsZero) {
  for (Outcome o : {Outcome::pivoted, Outcome::finished, Outcome::completed, Outcome::ready, Outcome::detached})
    expect(ended({}, o), MirrorEnding::as_asked, ExitCode::ok);
}

TEST(MirrorExitCode, AnErrorWithAnAskedForOutcomeIsNoSuccess) {
  expect(ended(mirror::errc::job_failed, Outcome::pivoted), MirrorEnding::job_error, ExitCode::failed);
}

TEST(MirrorExitCode, AbandonedAfterASecondSignal) {
  auto e = ended(mirror::errc::abandoned, Outcome::unknown);
  e.interrupted = true;
  e.timed_out = true;  // the abandon wins over the first signal and the deadline
  expect(e, MirrorEnding::abandoned, ExitCode::interrupted);
}

TEST(MirrorExitCode, InterruptedWinsOverTheDeadline) {
  auto e = ended(mirror::errc::deadline_expired, Outcome::cancelled);
  e.interrupted = true;
  e.timed_out = true;
  expect(e, MirrorEnding::interrupted, ExitCode::interrupted);
  expect([] {
    auto cancelled = ended(mirror::errc::job_cancelled, Outcome::cancelled);
    cancelled.interrupted = true;
    return cancelled;
  }(), MirrorEnding::interrupted, ExitCode::interrupted);
}

TEST(MirrorExitCode, TimedOutByQmpcOrByTheJobsOwnDeadline) {
  auto ours = ended(mirror::errc::job_cancelled, Outcome::cancelled);
  ours.timed_out = true;
  expect(ours, MirrorEnding::timed_out, ExitCode::deadline);
  auto unconfirmed = ended(mirror::errc::outcome_unknown, Outcome::unknown);
  unconfirmed.timed_out = true;  // wins over the unknown outcome's exit 3
  expect(unconfirmed, MirrorEnding::timed_out, ExitCode::deadline);
  expect(ended(mirror::errc::deadline_expired, Outcome::cancelled), MirrorEnding::timed_out, ExitCode::deadline);
}

TEST(MirrorExitCode, StartRefusedByQemu) {
  auto refused = ended(mirror::errc::start_failed, Outcome::start_failed);
  refused.qemu_error_is_the_cause = true;
  expect(refused, MirrorEnding::refused, ExitCode::failed);
  // Without QEMU's own error reply it is the job's error (same code, other words).
  expect(ended(mirror::errc::start_failed, Outcome::start_failed), MirrorEnding::job_error, ExitCode::failed);
  // QEMU's error only counts for a refused start.
  auto failed = ended(mirror::errc::job_failed, Outcome::failed);
  failed.qemu_error_is_the_cause = true;
  expect(failed, MirrorEnding::job_error, ExitCode::failed);
}

TEST(MirrorExitCode, MirrorErrors) {
  expect(ended(mirror::errc::outcome_unknown, Outcome::unknown), MirrorEnding::job_error, ExitCode::connection);
  expect(ended(mirror::errc::invalid_options, Outcome::unknown), MirrorEnding::job_error, ExitCode::usage);
  for (auto c : {mirror::errc::job_failed, mirror::errc::job_cancelled, mirror::errc::wrong_outcome})
    expect(ended(c, Outcome::failed), MirrorEnding::job_error, ExitCode::failed);
}

TEST(MirrorExitCode, QmpErrorsByTheirKind) {
  expect(ended(qmp::make_error_code(qmp::errc::connection_lost), Outcome::unknown), MirrorEnding::qmp_error,
         ExitCode::connection);
  expect(ended(qmp::make_error_code(qmp::errc::timeout), Outcome::unknown), MirrorEnding::qmp_error,
         ExitCode::deadline);
  // No error, yet not an outcome that was asked for: what exit_code_for says of no error.
  expect(ended({}, Outcome::cancelled), MirrorEnding::qmp_error, ExitCode::ok);
}

}  // namespace
