#include "cli/key_value.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using qmpc::cli::build_arguments;

std::string args(std::vector<std::string> words) {
  std::string error;
  auto r = build_arguments(words, &error);
  return r ? *r : "ERROR: " + error;
}

TEST(KeyValue, NoWordsMeansNoArguments) { EXPECT_EQ(args({}), ""); }

TEST(KeyValue, ValuesThatAreJsonStayJson) {
  EXPECT_EQ(args({"speed=0"}), R"({"speed":0})");
  EXPECT_EQ(args({"n=-12"}), R"({"n":-12})");
  EXPECT_EQ(args({"x=1.5"}), R"({"x":1.5})");
  EXPECT_EQ(args({"x=1e3"}), R"({"x":1000.0})");
  EXPECT_EQ(args({"big=18446744073709551615"}), R"({"big":18446744073709551615})");
  EXPECT_EQ(args({"a=true", "b=false", "c=null"}), R"({"a":true,"b":false,"c":null})");
  EXPECT_EQ(args({R"(s="123")"}), R"({"s":"123"})");
  EXPECT_EQ(args({R"(o={"k":[1,2]})"}), R"({"o":{"k":[1,2]}})");
  EXPECT_EQ(args({"l=[]"}), R"({"l":[]})");
}

TEST(KeyValue, EverythingElseIsAString) {
  EXPECT_EQ(args({"device=drive0"}), R"({"device":"drive0"})");
  EXPECT_EQ(args({"target=/tmp/a b.qcow2"}), R"({"target":"/tmp/a b.qcow2"})");
  EXPECT_EQ(args({"e="}), R"({"e":""})");
  EXPECT_EQ(args({"z=007"}), R"({"z":"007"})");          // leading zeros: not JSON
  EXPECT_EQ(args({"t=True"}), R"({"t":"True"})");        // JSON is case-sensitive
  EXPECT_EQ(args({"b={broken"}), R"({"b":"{broken"})");  // not valid JSON: kept as text
  EXPECT_EQ(args({"q=say \"hi\""}), R"({"q":"say \"hi\""})");
  EXPECT_EQ(args({"u=h\xc3\xa9"}), "{\"u\":\"h\xc3\xa9\"}");
}

TEST(KeyValue, OnlyTheFirstEqualsSignSplits) {
  EXPECT_EQ(args({"command-line=info block -v x=y"}), R"({"command-line":"info block -v x=y"})");
  EXPECT_EQ(args({"a==b"}), R"({"a":"=b"})");
}

TEST(KeyValue, DottedKeysNest) {
  EXPECT_EQ(args({"a.b=1"}), R"({"a":{"b":1}})");
  EXPECT_EQ(args({"file.driver=file", "file.filename=/x", "driver=qcow2"}),
            R"({"file":{"driver":"file","filename":"/x"},"driver":"qcow2"})");
  EXPECT_EQ(args({"a.b.c=x"}), R"({"a":{"b":{"c":"x"}}})");
  EXPECT_EQ(args({R"(a={"b":1})", "a.c=2"}), R"({"a":{"b":1,"c":2}})");
}

TEST(KeyValue, RejectsMalformedWords) {
  EXPECT_EQ(args({"device"}), "ERROR: expected KEY=VALUE, got 'device'");
  EXPECT_EQ(args({"=1"}), "ERROR: missing key before '=' in '=1'");
  EXPECT_EQ(args({"a..b=1"}), "ERROR: empty key segment in 'a..b' (keys look like a or a.b)");
  EXPECT_EQ(args({"a.=1"}), "ERROR: empty key segment in 'a.' (keys look like a or a.b)");
  EXPECT_EQ(args({".a=1"}), "ERROR: empty key segment in '.a' (keys look like a or a.b)");
}

TEST(KeyValue, RejectsKeysSetTwiceOrUsedBothWays) {
  EXPECT_EQ(args({"a=1", "a=2"}), "ERROR: 'a' is set more than once");
  EXPECT_EQ(args({"a=1", "a.b=2"}), "ERROR: 'a' is used both as a value and as an object");
  EXPECT_EQ(args({"a.b=2", "a=1"}), "ERROR: 'a' is used both as a value and as an object");
  EXPECT_EQ(args({"a.b=1", "a.b=2"}), "ERROR: 'a.b' is set more than once");
}

TEST(KeyValue, OneJsonObjectWordIsTheArguments) {
  EXPECT_EQ(args({R"({"device": "job0", "speed": 0})"}), R"({"device":"job0","speed":0})");
  EXPECT_EQ(args({R"(  {})"}), "{}");
  const auto bad = args({R"({"device": )"});
  EXPECT_EQ(bad.rfind("ERROR: the arguments are not a JSON object", 0), 0u) << bad;
  EXPECT_EQ(args({R"({"a":1})", "b=2"}),
            R"(ERROR: a JSON object must be the only argument, not mixed with KEY=VALUE: '{"a":1}')");
}

TEST(KeyValue, DeeplyNestedValuesAreRefusedOrKeptAsStrings) {
  const std::string deep(200000, '[');
  EXPECT_EQ(args({"a=" + deep}), R"({"a":")" + deep + R"("})");
  const auto bad = args({R"({"a": )" + deep});
  EXPECT_EQ(bad.rfind("ERROR: the arguments are not a JSON object", 0), 0u) << bad.substr(0, 200);
  EXPECT_NE(bad.find("nested deeper than 1000 levels"), std::string::npos) << bad.substr(0, 200);
}

TEST(KeyValue, ValueToJson) {
  EXPECT_EQ(qmpc::cli::value_to_json("12"), "12");
  EXPECT_EQ(qmpc::cli::value_to_json("drive0"), R"("drive0")");
  EXPECT_EQ(qmpc::cli::value_to_json(""), R"("")");
}

}  // namespace
