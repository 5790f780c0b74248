#include "cli/size_value.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::cli::parse_size;

TEST(SizeValue, PlainNumbersAreBytes) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("18446744073709551615"), 18446744073709551615ull);
}

TEST(SizeValue, SuffixesAreBinaryMultiples) {
  EXPECT_EQ(parse_size("64K"), 64u << 10);
  EXPECT_EQ(parse_size("64k"), 64u << 10);
  EXPECT_EQ(parse_size("16M"), 16u << 20);
  EXPECT_EQ(parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(parse_size("16MB"), 16u << 20);
  EXPECT_EQ(parse_size("2G"), 2ull << 30);
  EXPECT_EQ(parse_size("1T"), 1ull << 40);
}

TEST(SizeValue, RejectsWhatIsNotASize) {
  std::string error;
  EXPECT_FALSE(parse_size("", &error));
  EXPECT_NE(error.find("empty"), std::string::npos);
  EXPECT_FALSE(parse_size("M", &error));
  EXPECT_FALSE(parse_size("-1", &error));
  EXPECT_FALSE(parse_size("1.5M", &error));
  EXPECT_FALSE(parse_size("10X", &error));
  EXPECT_EQ(error, "'10X' is not a size: unknown suffix (use K, M, G or T) (examples: 4096, 64K, 16M, 2G)");
  EXPECT_FALSE(parse_size("10MX", &error));
  EXPECT_FALSE(parse_size("18446744073709551616", &error));
  EXPECT_NE(error.find("too large"), std::string::npos);
  EXPECT_FALSE(parse_size("16777216T", &error));
}

TEST(SizeValue, FormatsForHumans) {
  EXPECT_EQ(qmpc::cli::format_size(512), "512 B");
  EXPECT_EQ(qmpc::cli::format_size(256u << 20), "256 MiB");
  EXPECT_EQ(qmpc::cli::format_size(3u << 29), "1.5 GiB");
}

}  // namespace
