#include "cli/match_condition.hpp"

#include <gtest/gtest.h>

namespace {

std::string condition(std::string_view word) {
  std::string error;
  auto c = qmpc::cli::parse_match_condition(word, &error);
  return c ? c->path + " -> " + c->value_json : "ERROR: " + error;
}

TEST(MatchCondition, ValuesAreJsonWhenTheyAreJson) {
  EXPECT_EQ(condition("device=job0"), R"(device -> "job0")");
  EXPECT_EQ(condition("len=5"), "len -> 5");
  EXPECT_EQ(condition("ok=true"), "ok -> true");
  EXPECT_EQ(condition(R"(id="5")"), R"(id -> "5")");
  EXPECT_EQ(condition(R"(o={"a":1})"), R"(o -> {"a":1})");
  EXPECT_EQ(condition("status.running=false"), "status.running -> false");
  EXPECT_EQ(condition("e="), R"(e -> "")");
  EXPECT_EQ(condition("a=b=c"), R"(a -> "b=c")");
}

TEST(MatchCondition, RejectsWordsThatAreNoCondition) {
  EXPECT_EQ(condition("device"), "ERROR: expected PATH=VALUE, got 'device'");
  EXPECT_EQ(condition("=1"), "ERROR: missing path before '=' in '=1'");
  EXPECT_EQ(condition("a..b=1"), "ERROR: empty path segment in 'a..b' (paths look like a or a.b)");
  EXPECT_EQ(condition(".a=1"), "ERROR: empty path segment in '.a' (paths look like a or a.b)");
  EXPECT_EQ(condition("a.=1"), "ERROR: empty path segment in 'a.' (paths look like a or a.b)");
}

TEST(MatchCondition, ItsOutputBuildsAnEventMatch) {
  auto c = qmpc::cli::parse_match_condition("device=job0");
  ASSERT_TRUE(c);
  EXPECT_NO_THROW(qmp::EventMatch({"X"}, {*c}));
}

}  // namespace
