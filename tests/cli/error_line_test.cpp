#include "cli/error_line.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::cli::error_line;

TEST(ErrorLine, QmpErrorsAreClassAndDescExactly) {
  qmp::Diagnostics d{"GenericError", "Cannot find device='nope' nor node-name='nope'", "drive-mirror refused"};
  EXPECT_EQ(error_line(qmp::make_error_code(qmp::errc::generic_error), d, "drive-mirror"),
            "qmpc: GenericError: Cannot find device='nope' nor node-name='nope'\n");
}

TEST(ErrorLine, OtherErrorsNameTheStepAndWhatToCheck) {
  qmp::Diagnostics d{"", "", "no reply to 'query-status' from unix:/x within 0.3 s"};
  const auto line = error_line(qmp::make_error_code(qmp::errc::timeout), d, "query-status");
  EXPECT_EQ(line.rfind("qmpc: query-status: no reply to 'query-status'", 0), 0u) << line;
  EXPECT_NE(line.find("--timeout"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(ErrorLine, ADescriptionThatSaysWhatToCheckIsNotPaddedWithGenericAdvice) {
  qmp::Diagnostics d{"", "", "cannot connect to unix:/x: No such file; check that QEMU runs with -qmp unix:/x"};
  EXPECT_EQ(error_line(qmp::make_error_code(qmp::errc::connect_failed), d, ""), "qmpc: " + d.what + "\n");
}

TEST(ErrorLine, ExplicitHintAndFallbackDescription) {
  EXPECT_EQ(error_line(qmp::make_error_code(qmp::errc::connection_lost), {}, "waiting for events", "look at X"),
            "qmpc: waiting for events: connection to the QMP monitor lost; look at X\n");
  const auto lost = error_line(qmp::make_error_code(qmp::errc::connection_lost), {}, "");
  EXPECT_NE(lost.find("QEMU exited or closed the monitor"), std::string::npos) << lost;
}

}  // namespace
