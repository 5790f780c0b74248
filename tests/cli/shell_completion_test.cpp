// Tab completion of `qmpc shell` on the recorded schemas of QEMU 7.2 and 10.0 (fixtures/schema).
#include "shell/completion.hpp"

#include "../unit/schema_fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace {

using qmpc::shell::complete;
using qmpc::shell::Completion;
using qmpc::shell::LineContext;
using testing::Contains;
using testing::ElementsAre;
using testing::IsEmpty;
using testing::Not;

class ShellCompletion : public testing::TestWithParam<std::string> {
 protected:
  const qmp::Schema& schema() const { return schema_test::recorded_schema(GetParam()); }
  Completion at(std::string_view line, LineContext context = LineContext::command) const {
    const auto names = schema().command_names();
    return complete(line, &schema(), names, context);
  }
};

TEST_P(ShellCompletion, CommandNamesAndTheShellsOwnWords) {
  const auto c = at("drive-mi");
  EXPECT_EQ(c.start, 0u);
  EXPECT_THAT(c.candidates, ElementsAre("drive-mirror"));
  EXPECT_TRUE(c.append_space);
  EXPECT_THAT(at("query-block-j").candidates, ElementsAre("query-block-jobs"));
  EXPECT_THAT(at("  h").candidates, Contains("hmp"));
  EXPECT_EQ(at("  h").start, 2u);
  const auto t = at("transa");
  EXPECT_THAT(t.candidates, ElementsAre("transaction", "transaction("));
  EXPECT_FALSE(at("transaction(").append_space);
  EXPECT_THAT(at("").candidates, Contains("query-status"));
  EXPECT_THAT(at("no-such-comm").candidates, IsEmpty());
}

TEST_P(ShellCompletion, ArgumentNamesThenEnumValues) {
  const auto keys = at("drive-mirror device=drive0 s");
  EXPECT_EQ(keys.start, 27u);
  EXPECT_THAT(keys.candidates, ElementsAre("speed=", "sync="));
  EXPECT_FALSE(keys.append_space);
  const auto values = at("drive-mirror sync=");
  EXPECT_EQ(values.start, 18u);
  EXPECT_THAT(values.candidates, ElementsAre("bitmap", "full", "incremental", "none", "top"));
  EXPECT_TRUE(values.append_space);
  EXPECT_THAT(at("drive-mirror sync=fu").candidates, ElementsAre("full"));
  EXPECT_THAT(at("drive-mirror unmap=").candidates, ElementsAre("false", "true"));
  EXPECT_THAT(at("drive-mirror target=").candidates, IsEmpty());  // a string: nothing to offer
}

TEST_P(ShellCompletion, AKeyGivenIsNotOfferedAgain) {
  EXPECT_THAT(at("drive-mirror sync=full s").candidates, ElementsAre("speed="));
  EXPECT_THAT(at("drive-mirror device=d de").candidates, IsEmpty());
}

TEST_P(ShellCompletion, NestedMembersAndFlatUnions) {
  // blockdev-add is a flat union on "driver": only the common members until the driver is given.
  const auto common = at("blockdev-add ");
  EXPECT_THAT(common.candidates, Contains("driver="));
  EXPECT_THAT(common.candidates, Not(Contains("file=")));
  EXPECT_THAT(at("blockdev-add driver=qco").candidates, ElementsAre("qcow", "qcow2"));
  const auto qcow2 = at("blockdev-add driver=qcow2 node-name=n0 fi");
  EXPECT_THAT(qcow2.candidates, ElementsAre("file.", "file="));  // a reference: a node name or a nested object
  const auto nested = at("blockdev-add driver=qcow2 file.");
  EXPECT_THAT(nested.candidates, Contains("file.driver="));
  EXPECT_THAT(at("blockdev-add driver=qcow2 file.driver=fi").candidates, ElementsAre("file"));
  EXPECT_THAT(at("blockdev-add driver=qcow2 file.driver=file file.filen").candidates, ElementsAre("file.filename="));
  EXPECT_THAT(at("blockdev-add driver=qcow2 nosuch.").candidates, IsEmpty());
}

TEST_P(ShellCompletion, TransactionActionsAndTheirData) {
  const auto types = at("blockdev-", LineContext::transaction_action);
  EXPECT_THAT(types.candidates, Contains("blockdev-backup"));
  EXPECT_THAT(types.candidates, Contains("blockdev-snapshot-sync"));
  EXPECT_THAT(types.candidates, Not(Contains("blockdev-add")));  // a command, not an action
  EXPECT_THAT(at("", LineContext::transaction_action).candidates, Contains(")"));
  EXPECT_THAT(at("", LineContext::transaction_action).candidates, Contains("abort"));
  EXPECT_THAT(at("block-dirty-bitmap-add node=n0 na", LineContext::transaction_action).candidates,
              ElementsAre("name="));
  EXPECT_THAT(at("blockdev-backup sync=", LineContext::transaction_action).candidates, Contains("full"));
  EXPECT_THAT(at("abort ", LineContext::transaction_action).candidates, IsEmpty());
  EXPECT_THAT(at("transaction( completion-mode=").candidates, ElementsAre("grouped", "individual"));
}

TEST_P(ShellCompletion, NothingInQuotesJsonOrHmp) {
  EXPECT_THAT(at("human-monitor-command command-line='info bl").candidates, IsEmpty());
  EXPECT_THAT(at("blockdev-add '{\"dri").candidates, IsEmpty());
  EXPECT_THAT(at("{\"execute\":\"qu").candidates, IsEmpty());
  EXPECT_THAT(at("hmp info bl").candidates, IsEmpty());
  EXPECT_THAT(at("info bl", LineContext::hmp).candidates, IsEmpty());
  EXPECT_THAT(at("drive-mirror =").candidates, IsEmpty());
}

TEST(ShellCompletionWithoutSchema, OffersCommandNamesOnly) {
  const std::vector<std::string> names{"query-status", "quit"};
  EXPECT_THAT(complete("q", nullptr, names, LineContext::command).candidates, ElementsAre("query-status", "quit"));
  EXPECT_THAT(complete("query-status x", nullptr, names, LineContext::command).candidates, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Recorded, ShellCompletion, testing::Values(std::string("7.2"), std::string("10.0")),
                         schema_test::version_name);

}  // namespace
