#include "cli/event_time.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::cli::readable_timestamp;

TEST(EventTime, UtcToTheMicrosecond) {
  EXPECT_EQ(readable_timestamp(1796186302773925), "2026-12-02T04:38:22.773925Z");
  EXPECT_EQ(readable_timestamp(1000000), "1970-01-01T00:00:01.000000Z");
  EXPECT_EQ(readable_timestamp(951782400000001), "2000-02-29T00:00:00.000001Z");
}

TEST(EventTime, NoTimestamp) {
  EXPECT_EQ(readable_timestamp(0), "-");
  EXPECT_EQ(readable_timestamp(-5), "-");
}

}  // namespace
