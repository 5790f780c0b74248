#include "qmp/codec.hpp"
#include "qmp/event_dispatcher.hpp"

#include <gtest/gtest.h>

namespace {

qmp::Message event(std::uint64_t seq, std::string_view name, std::string_view id = "job0") {
  std::string line = "{\"event\":\"" + std::string(name) + "\",\"data\":{\"id\":\"" + std::string(id) + "\"}}";
  return *qmp::decode_line(line, seq, {}).message;
}

std::shared_ptr<qmp::EventQueue> queue(qmp::EventFilter f = {}, std::size_t cap = 4,
                                       qmp::OverflowPolicy p = qmp::OverflowPolicy::drop_oldest) {
  return std::make_shared<qmp::EventQueue>(std::move(f), qmp::SubscriptionOptions{cap, p});
}

TEST(EventDispatcher, EverySubscriberGetsEveryMatchingEventInWireOrder) {
  qmp::EventDispatcher d;
  auto all = queue({}, 100), jobs = queue({{"JOB_STATUS_CHANGE"}, {}}, 100);
  d.add(all);
  d.add(jobs);
  d.dispatch(event(1, "JOB_STATUS_CHANGE"));
  d.dispatch(event(2, "STOP"));
  d.dispatch(event(3, "JOB_STATUS_CHANGE"));
  ASSERT_EQ(all->size(), 3u);
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ(all->pop().seq(), 1u);
  EXPECT_EQ(all->pop().seq(), 2u);
  EXPECT_EQ(all->pop().seq(), 3u);
  EXPECT_EQ(jobs->pop().seq(), 1u);
  EXPECT_EQ(jobs->pop().seq(), 3u);
}

TEST(EventDispatcher, SubscribersShareOneDocumentAndTheLastTakesTheMessageItself) {
  qmp::EventDispatcher d;
  auto a = queue(), b = queue(), stops = queue({{"STOP"}, {}});
  d.add(a);
  d.add(b);
  qmp::Message m = event(1, "JOB_STATUS_CHANGE");
  EXPECT_EQ(d.dispatch(std::move(m)), 2u);
  const qmp::Message first = a->pop(), second = b->pop();
  EXPECT_EQ(first.document(), second.document());
  EXPECT_EQ(first.document().use_count(), 2);  // no third copy left behind
  // A last subscriber that refuses the event leaves it with the caller.
  d.add(stops);
  qmp::Message kept = event(2, "JOB_STATUS_CHANGE");
  EXPECT_EQ(d.dispatch(std::move(kept)), 2u);
  EXPECT_TRUE(kept.valid());  // NOLINT(bugprone-use-after-move): a refused message is not taken
  EXPECT_EQ(a->pop().document().use_count(), 3);  // a's copy, b's copy, kept
}

TEST(EventDispatcher, PredicateFiltersOnData) {
  qmp::EventDispatcher d;
  auto mine = queue({{}, qmp::EventFilter::data_equals("id", "job1")}, 10);
  d.add(mine);
  d.dispatch(event(1, "JOB_STATUS_CHANGE", "job0"));
  d.dispatch(event(2, "JOB_STATUS_CHANGE", "job1"));
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->pop().seq(), 2u);
}

TEST(EventDispatcher, DropOldestKeepsTheNewestAndReportsTheGap) {
  auto q = queue({}, 3, qmp::OverflowPolicy::drop_oldest);
  for (std::uint64_t i = 1; i <= 5; ++i) q->offer(event(i, "E"));
  EXPECT_EQ(q->dropped(), 2u);
  std::uint64_t gap = 0;
  EXPECT_EQ(q->pop(&gap).seq(), 3u);
  EXPECT_EQ(gap, 2u);
  EXPECT_EQ(q->pop(&gap).seq(), 4u);
  EXPECT_EQ(gap, 0u);
  EXPECT_EQ(q->pop(&gap).seq(), 5u);
  EXPECT_EQ(gap, 0u);
}

TEST(EventDispatcher, DropOldestGapSurvivesAnEmptiedQueue) {
  auto q = queue({}, 1, qmp::OverflowPolicy::drop_oldest);
  q->offer(event(1, "E"));
  q->offer(event(2, "E"));  // drops 1
  std::uint64_t gap = 0;
  EXPECT_EQ(q->pop(&gap).seq(), 2u);
  EXPECT_EQ(gap, 1u);
}

TEST(EventDispatcher, DropNewestKeepsTheOldest) {
  auto q = queue({}, 2, qmp::OverflowPolicy::drop_newest);
  for (std::uint64_t i = 1; i <= 4; ++i) q->offer(event(i, "E"));
  EXPECT_EQ(q->dropped(), 2u);
  EXPECT_EQ(q->pop().seq(), 1u);
  EXPECT_EQ(q->pop().seq(), 2u);
  q->offer(event(5, "E"));
  std::uint64_t gap = 0;
  EXPECT_EQ(q->pop(&gap).seq(), 5u);
  EXPECT_EQ(gap, 2u);
}

TEST(EventDispatcher, FailPolicyEndsTheSubscriptionAndTheDispatcherForgetsIt) {
  qmp::EventDispatcher d;
  auto strict = queue({}, 2, qmp::OverflowPolicy::fail);
  auto other = queue({}, 100);
  d.add(strict);
  d.add(other);
  for (std::uint64_t i = 1; i <= 3; ++i) d.dispatch(event(i, "E"));
  EXPECT_TRUE(strict->closed());
  EXPECT_EQ(strict->closed_reason(), qmp::errc::subscription_overflow);
  EXPECT_TRUE(strict->empty());
  EXPECT_EQ(d.subscribers(), 1u);
  EXPECT_EQ(other->size(), 3u);  // one subscriber's overflow does not touch another
}

TEST(EventDispatcher, MemoryStaysBoundedUnderAFlood) {
  auto q = queue({}, 64);
  for (std::uint64_t i = 1; i <= 100000; ++i) q->offer(event(i, "BLOCK_JOB_ERROR"));
  EXPECT_EQ(q->size(), 64u);
  EXPECT_EQ(q->dropped(), 100000u - 64u);
}

TEST(EventDispatcher, CloseAllEndsEverySubscriberWithTheReason) {
  qmp::EventDispatcher d;
  auto a = queue(), b = queue();
  d.add(a);
  d.add(b);
  a->offer(event(1, "E"));
  d.close_all(qmp::make_error_code(qmp::errc::connection_lost));
  EXPECT_TRUE(a->closed());
  EXPECT_EQ(b->closed_reason(), qmp::errc::connection_lost);
  EXPECT_EQ(a->size(), 1u);  // queued events stay readable
  EXPECT_EQ(d.subscribers(), 0u);
}

TEST(EventDispatcher, RemovedSubscriberGetsNothingMore) {
  qmp::EventDispatcher d;
  auto a = queue();
  d.add(a);
  d.remove(a.get());
  d.dispatch(event(1, "E"));
  EXPECT_TRUE(a->empty());
}

TEST(EventDispatcher, WantsANameWhenAnOpenSubscriberListsItOrListsNone) {
  qmp::EventDispatcher d;
  EXPECT_FALSE(d.wants("STOP"));
  EXPECT_FALSE(d.wants_every_name());
  auto jobs = queue({{"JOB_STATUS_CHANGE", "BLOCK_JOB_READY"}, qmp::EventFilter::data_equals("id", "job1")});
  d.add(jobs);
  EXPECT_TRUE(d.wants("BLOCK_JOB_READY"));  // the predicate is not asked: the name alone decides
  EXPECT_FALSE(d.wants("STOP"));
  EXPECT_FALSE(d.wants_every_name());
  auto all = queue();
  d.add(all);
  EXPECT_TRUE(d.wants("STOP"));
  EXPECT_TRUE(d.wants_every_name());
  all->close({});
  EXPECT_FALSE(d.wants("STOP"));
  EXPECT_FALSE(d.wants_every_name());
  jobs->close({});
  EXPECT_FALSE(d.wants("BLOCK_JOB_READY"));
}

TEST(EventDispatcher, NoLongerWantsEveryNameOnceTheOnlySubscriberOfAllIsRemovedOrDroppedClosed) {
  qmp::EventDispatcher d;
  auto all = queue();
  auto named = queue({{"STOP"}, {}});
  d.add(all);
  d.add(named);
  d.remove(all.get());
  EXPECT_FALSE(d.wants_every_name());
  auto again = queue();
  d.add(again);
  EXPECT_TRUE(d.wants_every_name());
  again->close({});
  d.dispatch(event(1, "STOP"));  // forgets the closed subscriber
  EXPECT_EQ(d.subscribers(), 1u);
  EXPECT_FALSE(d.wants_every_name());
  auto last = queue();
  d.add(last);
  EXPECT_TRUE(d.wants_every_name());
  d.close_all({});
  EXPECT_FALSE(d.wants_every_name());
}

}  // namespace
