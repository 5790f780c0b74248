#include "cli/usage_hint.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::cli::closest_match;

TEST(UsageHint, EditDistance) {
  EXPECT_EQ(qmpc::cli::edit_distance("", ""), 0u);
  EXPECT_EQ(qmpc::cli::edit_distance("abc", ""), 3u);
  EXPECT_EQ(qmpc::cli::edit_distance("--sokcet", "--socket"), 1u);
  EXPECT_EQ(qmpc::cli::edit_distance("exce", "exec"), 1u);
  EXPECT_EQ(qmpc::cli::edit_distance("kitten", "sitting"), 3u);
}

TEST(UsageHint, SuggestsOnlyCloseCandidates) {
  const std::vector<std::string> opts{"--socket", "--timeout", "--trace", "--pivot"};
  EXPECT_EQ(closest_match("--sokcet", opts), "--socket");
  EXPECT_EQ(closest_match("--pviot", opts), "--pivot");
  EXPECT_EQ(closest_match("--timout", opts), "--timeout");
  EXPECT_EQ(closest_match("--completely-different", opts), "");
  EXPECT_EQ(closest_match("x", {}), "");
}

}  // namespace
