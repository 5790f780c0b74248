#include "qmp/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string value_of(std::string_view text, const qmp::json::MemberSpan& m) {
  return std::string(text.substr(m.value_begin, m.value_end - m.value_begin));
}

TEST(ScanObject, FindsEachTopLevelMemberAndItsValueText) {
  const std::string text = R"( { "execute" : "query-status" ,"id":[1, {"id": 2}], "arguments": {"a": "b"} } )";
  auto layout = qmp::json::scan_object(text);
  ASSERT_TRUE(layout);
  ASSERT_EQ(layout->members.size(), 3u);
  EXPECT_EQ(layout->members[0].name, "execute");
  EXPECT_EQ(value_of(text, layout->members[0]), R"("query-status")");
  EXPECT_EQ(layout->members[0].string_value, "query-status");
  EXPECT_EQ(value_of(text, layout->members[1]), R"([1, {"id": 2}])");
  EXPECT_FALSE(layout->members[1].string_value);
  EXPECT_EQ(value_of(text, layout->members[2]), R"({"a": "b"})");
  // A member begins where the previous value ended (the comma is inside), the first just past '{'.
  EXPECT_EQ(text.substr(layout->members[0].begin, 2), R"( ")");
  EXPECT_EQ(text[layout->members[1].begin], ' ');
  EXPECT_EQ(text.substr(layout->members[2].begin, 1), ",");
  EXPECT_EQ(layout->find("id"), &layout->members[1]);
  EXPECT_EQ(layout->find("nope"), nullptr);
}

TEST(ScanObject, ScalarsOfEveryType) {
  for (const std::string v : {"null", "true", "false", "3.5", "-7", "18446744073709551615", "1e300", R"("a\"b")", "{}", "[]"}) {
    SCOPED_TRACE(v);
    const std::string text = R"({"id":)" + v + "}";
    auto layout = qmp::json::scan_object(text);
    ASSERT_TRUE(layout);
    ASSERT_EQ(layout->members.size(), 1u);
    EXPECT_EQ(value_of(text, layout->members[0]), v);
  }
}

TEST(ScanObject, EscapedKeyIsUnescaped) {
  auto layout = qmp::json::scan_object(R"({"i\u0064":1})");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->members[0].name, "id");
}

TEST(ScanObject, RefusesWhatIsNotOneObject) {
  qmp::json::ParseFailure why;
  for (const std::string bad : {"[1,2,3]", "3", R"("s")", "null", "[{}]"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(qmp::json::scan_object(bad, &why));
    EXPECT_EQ(why.what, "not an object");
  }
  for (const std::string bad : {"{", R"({"a":1} {"b":2})", R"({"a" 1})", "garbage", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(qmp::json::scan_object(bad, &why));
    EXPECT_NE(why.what, "not an object");
  }
  EXPECT_FALSE(qmp::json::scan_object(R"({"a":)" + std::string(2000, '[') + std::string(2000, ']') + "}", &why));
  EXPECT_NE(why.what.find("nested deeper"), std::string::npos);
}

}  // namespace
