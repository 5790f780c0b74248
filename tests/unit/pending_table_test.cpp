#include "qmp/pending_table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using Table = qmp::PendingTable<std::string>;

TEST(PendingTable, IdsAreShortAndUnique) {
  Table t;
  EXPECT_EQ(t.add("a"), 1u);
  EXPECT_EQ(t.add("b"), 2u);
  EXPECT_EQ(t.add("c"), 3u);
  EXPECT_EQ(t.live(), 3u);
}

TEST(PendingTable, RepliesOutOfOrderReachTheirOwnCommand) {
  Table t;
  const auto a = t.add("a"), b = t.add("b"), c = t.add("c");
  for (auto id : {a, b, c}) t.mark_written(id);
  std::optional<std::string> out;
  EXPECT_EQ(t.on_reply(c, out), Table::Match::deliver);
  EXPECT_EQ(out, "c");
  out.reset();
  EXPECT_EQ(t.on_reply(a, out), Table::Match::deliver);
  EXPECT_EQ(out, "a");
  out.reset();
  EXPECT_EQ(t.on_reply(b, out), Table::Match::deliver);
  EXPECT_EQ(out, "b");
  EXPECT_EQ(t.size(), 0u);
}

TEST(PendingTable, UnknownIdAndSecondReplyAreUnknown) {
  Table t;
  const auto a = t.add("a");
  t.mark_written(a);
  std::optional<std::string> out;
  EXPECT_EQ(t.on_reply(99, out), Table::Match::unknown);
  EXPECT_EQ(t.on_reply(a, out), Table::Match::deliver);
  out.reset();
  EXPECT_EQ(t.on_reply(a, out), Table::Match::unknown);
  EXPECT_FALSE(out);
}

TEST(PendingTable, ReplyToACommandNotYetWrittenIsUnknown) {
  Table t;
  const auto a = t.add("a");
  std::optional<std::string> out;
  EXPECT_EQ(t.on_reply(a, out), Table::Match::unknown);
  EXPECT_EQ(t.state(a), qmp::CommandState::queued);
}

TEST(PendingTable, AbandonedBeforeWriteIsRemoved) {
  Table t;
  const auto a = t.add("a");
  EXPECT_EQ(t.abandon(a), "a");
  EXPECT_FALSE(t.state(a));
  EXPECT_EQ(t.size(), 0u);
}

TEST(PendingTable, AbandonedAfterWriteDropsItsLateReplyWithoutMismatch) {
  Table t;
  const auto a = t.add("a");
  t.mark_written(a);
  EXPECT_EQ(t.abandon(a), "a");
  EXPECT_EQ(t.state(a), qmp::CommandState::abandoned);
  EXPECT_EQ(t.abandoned(), 1u);
  EXPECT_FALSE(t.abandon(a));  // a second timeout or cancel has nothing left to complete
  const auto b = t.add("b");
  t.mark_written(b);
  std::optional<std::string> out;
  EXPECT_EQ(t.on_reply(a, out), Table::Match::abandoned);
  EXPECT_FALSE(out);
  EXPECT_EQ(t.on_reply(b, out), Table::Match::deliver);
  EXPECT_EQ(out, "b");
  EXPECT_EQ(t.abandoned(), 0u);
}

TEST(PendingTable, TakeAllReturnsLiveEntriesOldestFirst) {
  Table t;
  const auto a = t.add("a"), b = t.add("b"), c = t.add("c");
  t.mark_written(a);
  t.mark_written(b);
  t.abandon(b);
  (void)c;
  const auto all = t.take_all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].second, "a");
  EXPECT_EQ(all[1].second, "c");
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
