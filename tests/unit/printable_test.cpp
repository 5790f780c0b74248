// qmp::printable and qmp::printable_json: nothing printed can drive a terminal or break JSON.
#include "qmp/printable.hpp"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace {

using qmp::printable;
using qmp::printable_json;

TEST(Printable, ControlCharactersAreEscaped) {
  EXPECT_EQ(printable("a\x1b]0;pwned\x07z"), "a\\x1b]0;pwned\\x07z");
  EXPECT_EQ(printable("tab\there\r\nnext\x7f"), "tab\\there\\r\\nnext\\x7f");
  EXPECT_EQ(printable("line\nline\n", qmp::Newlines::keep), "line\nline\n");
  EXPECT_EQ(printable(std::string_view("nul\0", 4)), "nul\\x00");
  EXPECT_EQ(printable("csi \xc2\x9b" "31m"), "csi \\u009b31m");  // C1 control, valid UTF-8
}

TEST(Printable, InvalidUtf8IsEscapedByteByByteAndValidUtf8Kept) {
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xbe"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xbe");
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");                  // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");        // a surrogate
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(printable("cut \xe2\x82"), "cut \\xe2\\x82");          // truncated sequence at the end
}

TEST(PrintableJson, InvalidUtf8BecomesReplacementCharactersAndControlsEscapes) {
  const std::string in = "{\"desc\":\"\xff\xfe \xc2\x9b \x7f ok \xc3\xa9\",\"n\":1}";
  const std::string out = printable_json(in);
  EXPECT_EQ(out, "{\"desc\":\"\xef\xbf\xbd\xef\xbf\xbd \\u009b \\u007f ok \xc3\xa9\",\"n\":1}");
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(out.data(), out.size());
  EXPECT_FALSE(d.HasParseError()) << out;
  EXPECT_EQ(printable_json("{\n  \"a\": \"\\u001b\"\n}"), "{\n  \"a\": \"\\u001b\"\n}");  // pretty JSON kept
}

}  // namespace
