#include "trace/json_difference.hpp"

#include <gtest/gtest.h>

namespace {

std::string diff(std::string_view recorded, std::string_view got, std::vector<std::string> ignored = {}) {
  qmp::json::Document r, g;
  EXPECT_FALSE(qmp::json::parse(r, recorded));
  EXPECT_FALSE(qmp::json::parse(g, got));
  return trace::first_difference(r, g, ignored).value_or("same");
}

TEST(JsonDifference, SameWhateverTheMemberOrder) {
  EXPECT_EQ(diff(R"({"a":1,"b":{"c":[1,2]}})", R"({"b":{"c":[1,2]},"a":1})"), "same");
  EXPECT_EQ(diff(R"({"n":1})", R"({"n":1.0})"), "same");
  EXPECT_EQ(diff("{}", "{}"), "same");
}

// Found by replay_script_fuzz: a recorded command whose arguments give a key twice diverged from itself.
TEST(JsonDifference, AKeyGivenTwiceIsReadByItsFirstValueOnBothSides) {
  const char* twice = R"({"bitmap":"inc0","sync":"incremental","bitmap":"bm0"})";
  EXPECT_EQ(diff(twice, twice), "same");
  EXPECT_EQ(diff(twice, R"({"bitmap":"inc0","sync":"incremental"})"), "same");
  EXPECT_EQ(diff(twice, R"({"bitmap":"bm0","sync":"incremental"})"), R"(bitmap: recorded "inc0", got "bm0")");
}

TEST(JsonDifference, TheFirstDifferenceByPath) {
  EXPECT_EQ(diff(R"({"target":"/a","sync":"full"})", R"({"target":"/b","sync":"full"})"),
            R"(target: recorded "/a", got "/b")");
  EXPECT_EQ(diff(R"({"file":{"driver":"file","filename":"/x"}})", R"({"file":{"driver":"file","filename":"/y"}})"),
            R"(file.filename: recorded "/x", got "/y")");
  EXPECT_EQ(diff(R"({"l":[1,2,3]})", R"({"l":[1,5,3]})"), "l.1: recorded 2, got 5");
  EXPECT_EQ(diff(R"({"l":[1,2]})", R"({"l":[1,2,3]})"), "l: recorded 2 elements, got 3");
  EXPECT_EQ(diff(R"({"speed":0})", R"({"speed":"0"})"), R"(speed: recorded 0, got "0")");
  EXPECT_EQ(diff("1", "2"), "(the whole value): recorded 1, got 2");
}

TEST(JsonDifference, MembersOnOneSideOnly) {
  EXPECT_EQ(diff(R"({"a":1,"b":2})", R"({"a":1})"), "b: recorded 2, got nothing");
  EXPECT_EQ(diff(R"({"a":1})", R"({"a":1,"c":true})"), "c: recorded nothing, got true");
}

TEST(JsonDifference, IgnoredPathsAndEverythingUnderThem) {
  EXPECT_EQ(diff(R"({"job-id":"qmpc-mirror-12","device":"d0"})", R"({"job-id":"qmpc-mirror-99","device":"d0"})",
                 {"job-id"}),
            "same");
  EXPECT_EQ(diff(R"({"file":{"filename":"/x","driver":"file"}})", R"({"file":{"filename":"/y","driver":"file"}})",
                 {"file.filename"}),
            "same");
  EXPECT_EQ(diff(R"({"file":{"filename":"/x"}})", R"({"file":{"filename":"/y","extra":1}})", {"file"}), "same");
  EXPECT_EQ(diff(R"({"job-id":"a"})", R"({})", {"job-id"}), "same");
  EXPECT_EQ(diff(R"({})", R"({"job-id":"a"})", {"job-id"}), "same");
  EXPECT_EQ(diff(R"({"job-id":"a","x":1})", R"({"job-id":"b","x":2})", {"job-id"}), "x: recorded 1, got 2");
}

TEST(JsonDifference, ARedactedSecretMatchesAnyValue) {
  EXPECT_EQ(diff(R"({"qom-type":"secret","id":"s0","data":"<redacted>"})",
                 R"({"qom-type":"secret","id":"s0","data":"hunter2"})"),
            "same");
  EXPECT_EQ(diff(R"({"data":"<redacted>","id":"s0"})", R"({"data":"x","id":"s1"})"), R"(id: recorded "s0", got "s1")");
}

TEST(JsonDifference, LongValuesAreCut) {
  const std::string a(200, 'a'), b(200, 'b');
  const auto d = diff("{\"x\":\"" + a + "\"}", "{\"x\":\"" + b + "\"}");
  EXPECT_LT(d.size(), 200u) << d;
  EXPECT_NE(d.find("..., got \"bbb"), std::string::npos) << d;
}

}  // namespace
