#include "cli/exit_code.hpp"

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

namespace {

using qmpc::cli::ExitCode;
using qmpc::cli::exit_code_for;

ExitCode code(qmp::errc e) { return exit_code_for(qmp::make_error_code(e)); }

TEST(ExitCode, MapsEveryKindOfError) {
  EXPECT_EQ(exit_code_for({}), ExitCode::ok);
  EXPECT_EQ(code(qmp::errc::generic_error), ExitCode::failed);
  EXPECT_EQ(code(qmp::errc::command_not_found), ExitCode::failed);
  EXPECT_EQ(code(qmp::errc::device_not_active), ExitCode::failed);
  EXPECT_EQ(code(qmp::errc::connect_failed), ExitCode::connection);
  EXPECT_EQ(code(qmp::errc::connection_lost), ExitCode::connection);
  EXPECT_EQ(code(qmp::errc::malformed_json), ExitCode::connection);
  EXPECT_EQ(code(qmp::errc::not_a_greeting), ExitCode::connection);
  EXPECT_EQ(code(qmp::errc::subscription_closed), ExitCode::connection);
  EXPECT_EQ(code(qmp::errc::process_exited), ExitCode::connection);
  EXPECT_EQ(code(qmp::errc::spawn_failed), ExitCode::failed);
  EXPECT_EQ(code(qmp::errc::timeout), ExitCode::deadline);
  EXPECT_EQ(code(qmp::errc::invalid_argument), ExitCode::usage);
  EXPECT_EQ(exit_code_for(boost::asio::error::operation_aborted), ExitCode::interrupted);
  EXPECT_EQ(qmpc::cli::to_int(ExitCode::interrupted), 130);
  EXPECT_EQ(qmpc::cli::to_int(ExitCode::deadline), 4);
}

}  // namespace
