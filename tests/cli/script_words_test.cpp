#include "script/words.hpp"

#include <gtest/gtest.h>

namespace {

std::string words(std::string_view line) {
  std::string error;
  auto w = qmpc::script::split_words(line, &error);
  if (!w) return "ERROR: " + error;
  std::string out;
  for (const auto& s : *w) out += "[" + s + "]";
  return out;
}

TEST(ScriptWords, BlanksSeparate) {
  EXPECT_EQ(words("stop"), "[stop]");
  EXPECT_EQ(words("  block-job-set-speed\tdevice=job0   speed=0 "), "[block-job-set-speed][device=job0][speed=0]");
  EXPECT_EQ(words(""), "");
  EXPECT_EQ(words(" \t "), "");
}

TEST(ScriptWords, QuotesAsInTheShell) {
  EXPECT_EQ(words("hmc command-line='info block'"), "[hmc][command-line=info block]");
  EXPECT_EQ(words(R"(x "a b" 'c"d' "e'f")"), R"([x][a b][c"d][e'f])");
  EXPECT_EQ(words(R"(name='"123"')"), R"([name="123"])");
  EXPECT_EQ(words(R"("a\"b\\c\$d\`e\nf")"), R"([a"b\c$d`e\nf])");
  EXPECT_EQ(words(R"('a\b')"), R"([a\b])");
  EXPECT_EQ(words("a'b'c\"d\"e"), "[abcde]");
  EXPECT_EQ(words("'' \"\""), "[][]");
  EXPECT_EQ(words(R"(a\ b\'c)"), "[a b'c]");
}

TEST(ScriptWords, JsonObjectsSurviveSingleQuotes) {
  EXPECT_EQ(words(R"(blockdev-add '{"driver":"null-co","node-name":"n0"}')"),
            R"([blockdev-add][{"driver":"null-co","node-name":"n0"}])");
}

TEST(ScriptWords, UnclosedQuotesAreErrors) {
  EXPECT_EQ(words("a 'b"), "ERROR: a ' quote is not closed");
  EXPECT_EQ(words("a \"b"), "ERROR: a \" quote is not closed");
  EXPECT_EQ(words(R"(a "b\")"), "ERROR: a \" quote is not closed");
  EXPECT_EQ(words("a \\"), "ERROR: the line ends with a lone backslash");
}

}  // namespace
