#include "trace/json_object_splitter.hpp"

#include <gtest/gtest.h>

namespace {

using trace::JsonObjectSplitter;

const std::string kStream =
    "{\"return\": {}, \"id\": \"libvirt-1\"}\r\n"
    "{\"event\": \"X\", \"data\": {\"s\": \"a } brace { and \\\" quote\"}}\r\n"
    "{\"return\": [{\"a\": [1, {\"b\": 2}]}], \"id\": 3}\r\n";

TEST(JsonObjectSplitter, CutsObjectsAtEverySplitOffset) {
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    JsonObjectSplitter s;
    std::vector<std::string> out;
    s.feed(kStream.substr(0, cut), out);
    s.feed(kStream.substr(cut), out);
    ASSERT_EQ(out.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(out[0], "{\"return\": {}, \"id\": \"libvirt-1\"}");
    EXPECT_EQ(out[1], "{\"event\": \"X\", \"data\": {\"s\": \"a } brace { and \\\" quote\"}}");
    EXPECT_EQ(out[2], "{\"return\": [{\"a\": [1, {\"b\": 2}]}], \"id\": 3}");
    EXPECT_FALSE(s.in_object());
    EXPECT_EQ(s.junk_bytes(), 0u);
  }
}

TEST(JsonObjectSplitter, KeepsTheIncompleteObjectUntilItEnds) {
  JsonObjectSplitter s;
  std::vector<std::string> out;
  s.feed("{\"a\": 1}\r\n{\"b\": \"x}", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(s.in_object());
  EXPECT_EQ(s.partial(), "{\"b\": \"x}");
  s.feed("\"}", out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], "{\"b\": \"x}\"}");
}

TEST(JsonObjectSplitter, SkipsEscapedTerminatorsButCountsJunk) {
  JsonObjectSplitter s;
  std::vector<std::string> out;
  s.feed(R"({"a": "x\r\n"}\r\n{"b": 2}\r\n)", out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], R"({"a": "x\r\n"})");
  EXPECT_EQ(s.junk_bytes(), 0u);
  s.feed(" len=12 {\"c\": 3}", out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(s.junk_bytes(), 6u);  // "len=12"
}

TEST(JsonObjectSplitter, ResetDropsTheCarriedPart) {
  JsonObjectSplitter s;
  std::vector<std::string> out;
  s.feed("{\"a\": ", out);
  s.reset();
  s.feed("{\"b\": 1}", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "{\"b\": 1}");
}

}  // namespace
