#include "script/event_backlog.hpp"

#include "qmp/codec.hpp"

#include <gtest/gtest.h>

namespace {

using qmpc::script::EventBacklog;

qmp::Message event(std::uint64_t seq, std::string_view name, std::string_view id = "job0") {
  std::string line = "{\"event\":\"" + std::string(name) + "\",\"data\":{\"id\":\"" + std::string(id) + "\"}}";
  return *qmp::decode_line(line, seq, {}).message;
}

TEST(EventBacklog, TakesTheFirstMatchInWireOrderAndKeepsTheRest) {
  EventBacklog b;
  b.add(event(1, "STOP"));
  b.add(event(2, "JOB_STATUS_CHANGE", "job1"));
  b.add(event(3, "JOB_STATUS_CHANGE", "job0"));
  b.add(event(4, "JOB_STATUS_CHANGE", "job0"));
  const qmp::EventMatch job0({"JOB_STATUS_CHANGE"}, {{"id", R"("job0")"}});
  auto m = b.take(job0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->seq(), 3u);
  EXPECT_EQ(b.size(), 3u);
  m = b.take(job0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->seq(), 4u);
  EXPECT_FALSE(b.take(job0));  // consumed
  m = b.take(qmp::EventMatch({"STOP"}, {}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->seq(), 1u);
  EXPECT_EQ(b.size(), 1u);
}

TEST(EventBacklog, NoMatchLeavesEverything) {
  EventBacklog b;
  b.add(event(1, "STOP"));
  EXPECT_FALSE(b.take(qmp::EventMatch({"RESUME"}, {})));
  EXPECT_EQ(b.size(), 1u);
}

TEST(EventBacklog, DropsTheOldestWhenFull) {
  EventBacklog b(2);
  b.add(event(1, "STOP"));
  b.add(event(2, "RESUME"));
  b.add(event(3, "STOP"));
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.dropped(), 1u);
  auto m = b.take(qmp::EventMatch({"STOP"}, {}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->seq(), 3u);
}

}  // namespace
