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

// Every split of a text into two chunks, and byte by byte: the same output as the whole at once.
TEST(PrintableStream, ChunksGiveTheSameOutputAsTheWholeText) {
  const std::string text = "qemu: caf\xc3\xa9 \x1b]0;t\x07 \xe2\x82\xac\n\xf0\x9f\x92\xbe \xff x\xe2\x82\n\xc2";
  const std::string whole = printable(text, qmp::Newlines::keep);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    qmp::PrintableStream s;
    std::string out = s.feed(std::string_view(text).substr(0, cut));
    out += s.feed(std::string_view(text).substr(cut));
    out += s.finish();
    EXPECT_EQ(out, whole) << "split at " << cut;
  }
  qmp::PrintableStream s;
  std::string out;
  for (char c : text) out += s.feed(std::string_view(&c, 1));
  EXPECT_EQ(out + s.finish(), whole);
}

TEST(PrintableStream, HoldsBackOnlyAnUnfinishedSequence) {
  qmp::PrintableStream s;
  EXPECT_EQ(s.feed("ab\xe2\x82"), "ab");
  EXPECT_EQ(s.feed("\xac!"), "\xe2\x82\xac!");
  EXPECT_EQ(s.feed("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(s.feed("\xe2"), "");
  EXPECT_EQ(s.finish(), "\\xe2");
}

}  // namespace
