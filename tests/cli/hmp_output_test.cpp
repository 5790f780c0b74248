#include "cli/hmp_output.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::cli::read_hmp_output;

TEST(HmpOutput, LinesWithoutTheirEnds) {
  auto o = read_hmp_output("VM status: running\r\n");
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_EQ(o.lines[0], "VM status: running");
  EXPECT_FALSE(o.error);
  o = read_hmp_output("a\r\nb\nc");
  ASSERT_EQ(o.lines.size(), 3u);
  EXPECT_EQ(o.lines[1], "b");
  EXPECT_EQ(o.lines[2], "c");
  EXPECT_TRUE(read_hmp_output("").lines.empty());
  o = read_hmp_output("\r\n\r\n");
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0], "");
}

TEST(HmpOutput, ErrorsAsQemuPrintsThem) {
  EXPECT_EQ(read_hmp_output("unknown command: 'info blah'\r\n").error.value_or("-"), "unknown command: 'info blah'");
  EXPECT_EQ(read_hmp_output("Error: Device 'nope' not found\r\n").error.value_or("-"), "Error: Device 'nope' not found");
  EXPECT_EQ(read_hmp_output("first\r\nError: second\r\nError: third\r\n").error.value_or("-"), "Error: second");
}

TEST(HmpOutput, ErrorWordsElsewhereAreNoError) {
  EXPECT_FALSE(read_hmp_output("drive0: null-co (Error: none)\r\n").error);
  EXPECT_FALSE(read_hmp_output("error: lower case\r\n").error);
  EXPECT_FALSE(read_hmp_output(" Error: indented\r\n").error);
}

}  // namespace
