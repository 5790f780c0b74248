#include "shell/shell_output.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc::shell;

TEST(ShellOutput, ColourOnlyOnATerminalWithoutNoColor) {
  EXPECT_TRUE(colour_wanted(true, nullptr));
  EXPECT_TRUE(colour_wanted(true, ""));
  EXPECT_FALSE(colour_wanted(true, "1"));
  EXPECT_FALSE(colour_wanted(false, nullptr));
}

TEST(ShellOutput, ValuesCompactOrPretty) {
  qmp::json::Document doc;
  ASSERT_FALSE(qmp::json::parse(doc, R"({"status":"running","running":true})"));
  EXPECT_EQ(format_value(doc, {}), R"({"status":"running","running":true})");
  EXPECT_EQ(format_value(doc, {.pretty = true}), "{\n  \"status\": \"running\",\n  \"running\": true\n}");
  EXPECT_EQ(format_value(doc, {.colour = true}), R"({"status":"running","running":true})");  // values stay plain
}

TEST(ShellOutput, ErrorsEventsAndEchoes) {
  EXPECT_EQ(format_error("GenericError", "Device 'x' not found", {}), "GenericError: Device 'x' not found");
  EXPECT_EQ(format_error("", "bad line", {}), "error: bad line");
  EXPECT_EQ(format_error("GenericError", "no", {.colour = true}), "\033[31mGenericError: no\033[0m");
  EXPECT_EQ(format_event(R"({"event":"STOP"})", {.colour = true}), "\033[36m{\"event\":\"STOP\"}\033[0m");
  EXPECT_EQ(format_sent(R"({"execute":"stop"})", {}), R"(-> {"execute":"stop"})");
}

TEST(ShellOutput, WhatQemuSentCannotDriveTheTerminal) {
  EXPECT_EQ(format_error("GenericError", "\033]0;owned\a", {}), "GenericError: \\x1b]0;owned\\x07");
  EXPECT_EQ(format_text("a\033[2Jb", {}), "a\\x1b[2Jb");
  EXPECT_EQ(format_event("{\"event\":\"X\",\"data\":{\"s\":\"\033\"}}", {}),
            "{\"event\":\"X\",\"data\":{\"s\":\"\\u001b\"}}");
}

}  // namespace
