#include "qmp/codec.hpp"
#include "qmp/event_match.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using qmp::EventMatch;

qmp::Message message(std::string_view line) { return *qmp::decode_line(line, 1, {}).message; }

const char* kJobEvent =
    R"({"event":"BLOCK_JOB_READY","data":{"device":"job0","len":1048576,"offset":1048576,"speed":0,)"
    R"("type":"mirror","nested":{"ok":true,"list":[{"n":"a"},{"n":"b"}]}},)"
    R"("timestamp":{"seconds":1700000000,"microseconds":5}})";

TEST(GlobMatch, StarsAndQuestionMarks) {
  EXPECT_TRUE(qmp::glob_match("STOP", "STOP"));
  EXPECT_FALSE(qmp::glob_match("STOP", "STOPPED"));
  EXPECT_FALSE(qmp::glob_match("STOP", "STO"));
  EXPECT_TRUE(qmp::glob_match("BLOCK_JOB_*", "BLOCK_JOB_READY"));
  EXPECT_TRUE(qmp::glob_match("BLOCK_JOB_*", "BLOCK_JOB_"));
  EXPECT_FALSE(qmp::glob_match("BLOCK_JOB_*", "JOB_STATUS_CHANGE"));
  EXPECT_TRUE(qmp::glob_match("*JOB*", "JOB_STATUS_CHANGE"));
  EXPECT_TRUE(qmp::glob_match("*_CHANGE", "JOB_STATUS_CHANGE"));
  EXPECT_TRUE(qmp::glob_match("*", ""));
  EXPECT_FALSE(qmp::glob_match("?", ""));
  EXPECT_TRUE(qmp::glob_match("ST?P", "STOP"));
  EXPECT_TRUE(qmp::glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(qmp::glob_match("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(qmp::glob_match("**a", "a"));
}

TEST(GlobMatch, CaseIsExactUnlessIgnored) {
  EXPECT_FALSE(qmp::glob_match("stop", "STOP"));
  EXPECT_TRUE(qmp::glob_match("stop", "STOP", true));
  EXPECT_TRUE(qmp::glob_match("block_job_*", "BLOCK_JOB_READY", true));
}

TEST(GlobMatch, LongInputsDoNotBacktrackExponentially) {
  const std::string text(10000, 'a');
  EXPECT_FALSE(qmp::glob_match("*a*a*a*a*a*a*a*b", text));
}

TEST(FindPath, DottedPathsAndArrayIndexes) {
  auto m = message(kJobEvent);
  ASSERT_NE(qmp::find_path(*m.data(), "device"), nullptr);
  EXPECT_EQ(qmp::json::to_string(*qmp::find_path(*m.data(), "device")), R"("job0")");
  EXPECT_EQ(qmp::json::to_string(*qmp::find_path(*m.data(), "nested.ok")), "true");
  EXPECT_EQ(qmp::json::to_string(*qmp::find_path(*m.data(), "nested.list.1.n")), R"("b")");
  EXPECT_EQ(qmp::find_path(*m.data(), "nested.list.2"), nullptr);
  EXPECT_EQ(qmp::find_path(*m.data(), "nested.list.x"), nullptr);
  EXPECT_EQ(qmp::find_path(*m.data(), "device.x"), nullptr);
  EXPECT_EQ(qmp::find_path(*m.data(), "missing"), nullptr);
  EXPECT_EQ(qmp::find_path(*m.data(), ""), nullptr);
}

TEST(EventMatch, NameAndEveryCondition) {
  auto m = message(kJobEvent);
  EXPECT_TRUE(EventMatch({"BLOCK_JOB_READY"}, {}).matches(m));
  EXPECT_FALSE(EventMatch({"BLOCK_JOB_COMPLETED"}, {}).matches(m));
  EXPECT_TRUE(EventMatch({"BLOCK_JOB_COMPLETED", "BLOCK_JOB_READY"}, {}).matches(m));
  EXPECT_TRUE(EventMatch({}, {}).matches(m));
  EXPECT_TRUE(EventMatch({"BLOCK_JOB_READY"}, {{"device", R"("job0")"}}).matches(m));
  EXPECT_FALSE(EventMatch({"BLOCK_JOB_READY"}, {{"device", R"("job1")"}}).matches(m));
  EXPECT_TRUE(EventMatch({"BLOCK_JOB_READY"}, {{"device", R"("job0")"}, {"type", R"("mirror")"}}).matches(m));
  EXPECT_FALSE(EventMatch({"BLOCK_JOB_READY"}, {{"device", R"("job0")"}, {"type", R"("commit")"}}).matches(m));
  EXPECT_FALSE(EventMatch({"BLOCK_JOB_READY"}, {{"absent", "1"}}).matches(m));
}

TEST(EventMatch, ValuesCompareAsJson) {
  auto m = message(kJobEvent);
  EXPECT_TRUE(EventMatch({}, {{"len", "1048576"}}).matches(m));
  EXPECT_TRUE(EventMatch({}, {{"len", "1048576.0"}}).matches(m));
  EXPECT_FALSE(EventMatch({}, {{"len", R"("1048576")"}}).matches(m));  // a string is not a number
  EXPECT_TRUE(EventMatch({}, {{"speed", "0"}}).matches(m));
  EXPECT_TRUE(EventMatch({}, {{"nested.ok", "true"}}).matches(m));
  EXPECT_FALSE(EventMatch({}, {{"nested.ok", R"("true")"}}).matches(m));
  EXPECT_TRUE(EventMatch({}, {{"nested.list", R"([{"n":"a"},{"n":"b"}])"}}).matches(m));
  EXPECT_FALSE(EventMatch({}, {{"nested.list", R"([{"n":"b"},{"n":"a"}])"}}).matches(m));
  EXPECT_TRUE(EventMatch({}, {{"nested", R"({"list":[{"n":"a"},{"n":"b"}],"ok":true})"}}).matches(m));  // any order
}

TEST(EventMatch, OnlyEventsMatch) {
  auto reply = message(R"({"return":{"device":"job0"},"id":1})");
  EXPECT_FALSE(EventMatch({}, {}).matches(reply));
  EXPECT_FALSE(EventMatch({}, {}).matches(qmp::Message()));
}

TEST(EventMatch, EventWithoutDataOnlyMatchesWithoutConditions) {
  auto stop = message(R"({"event":"STOP","timestamp":{"seconds":1,"microseconds":2}})");
  EXPECT_TRUE(EventMatch({"STOP"}, {}).matches(stop));
  EXPECT_FALSE(EventMatch({"STOP"}, {{"reason", R"("x")"}}).matches(stop));
}

TEST(EventMatch, IgnoreCaseAppliesToNamesOnly) {
  auto m = message(kJobEvent);
  EXPECT_FALSE(EventMatch({"block_job_ready"}, {}).matches(m));
  EXPECT_TRUE(EventMatch({"block_job_ready"}, {}, true).matches(m));
  EXPECT_FALSE(EventMatch({"block_job_ready"}, {{"device", R"("JOB0")"}}, true).matches(m));
}

TEST(EventMatch, FilterTakesWhatMatches) {
  auto f = EventMatch({"BLOCK_JOB_*"}, {{"device", R"("job0")"}}).filter();
  EXPECT_TRUE(f.matches(message(kJobEvent)));
  EXPECT_FALSE(f.matches(message(R"({"event":"BLOCK_JOB_READY","data":{"device":"job1"}})")));
  EXPECT_FALSE(f.matches(message(R"({"event":"STOP"})")));
}

TEST(EventMatch, ExactNamesAreTheFiltersNameListSoOthersNeedNoParse) {
  using Names = std::vector<std::string>;
  EXPECT_EQ(EventMatch({"STOP", "BLOCK_JOB_READY"}, {{"device", R"("job0")"}}).filter().names,
            (Names{"STOP", "BLOCK_JOB_READY"}));
  EXPECT_TRUE(EventMatch({"STOP", "BLOCK_JOB_*"}, {}).filter().names.empty());
  EXPECT_TRUE(EventMatch({"STO?"}, {}).filter().names.empty());
  EXPECT_TRUE(EventMatch({"stop"}, {}, true).filter().names.empty());
  EXPECT_TRUE(EventMatch().filter().names.empty());
  auto f = EventMatch({"STOP"}, {}).filter();
  EXPECT_TRUE(f.matches(message(R"({"event":"STOP"})")));
  EXPECT_FALSE(f.matches(message(R"({"event":"RESUME"})")));
}

TEST(EventMatch, Describe) {
  EXPECT_EQ(EventMatch().describe(), "any event");
  EXPECT_EQ(EventMatch({"STOP"}, {}).describe(), "STOP");
  EXPECT_EQ(EventMatch({"BLOCK_JOB_*", "JOB_*"}, {{"device", R"("job0")"}, {"len", "5"}}).describe(),
            R"(BLOCK_JOB_* or JOB_* with device="job0" len=5)");
}

TEST(EventMatch, RejectsBadConditions) {
  EXPECT_THROW(EventMatch({}, {{"a..b", "1"}}), std::invalid_argument);
  EXPECT_THROW(EventMatch({}, {{"", "1"}}), std::invalid_argument);
  EXPECT_THROW(EventMatch({}, {{"a", "not json"}}), std::invalid_argument);
}

}  // namespace
