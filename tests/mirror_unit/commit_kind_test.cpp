// mirror::commit_kind_from_block_graph on x-debug-query-block-graph replies recorded against QEMU 5.2, 7.2 and
// 10.0 (fixtures/transcripts/qemu-*-commit-graph.qmpt, tools/scripts/record-job-transcripts.py) while a commit c1
// crawled at 1 B/s: an active commit, and a commit of mid0 into base0 below the active layer.
#include "transcript_fixture.hpp"

#include <mirror/commit_kind.hpp>

#include <qmp/json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace mirror {
namespace {

std::optional<JobKind> kind_in(const std::string& file, std::string_view job) {
  auto m = test::recorded_reply(file, "x-debug-query-block-graph");
  if (!m.valid() || !m.result()) return std::nullopt;
  return commit_kind_from_block_graph(*m.result(), job);
}

class RecordedGraph : public ::testing::TestWithParam<std::string> {};

TEST_P(RecordedGraph, AnActiveCommitHasAReadyPhase) {
  EXPECT_EQ(kind_in("qemu-" + GetParam() + "-active-commit-graph.qmpt", "c1"), JobKind::active_commit);
}

TEST_P(RecordedGraph, ACommitBelowTheActiveLayerHasNone) {
  EXPECT_EQ(kind_in("qemu-" + GetParam() + "-commit-graph.qmpt", "c1"), JobKind::commit);
}

TEST_P(RecordedGraph, AnotherJobIdIsNotFound) {
  EXPECT_EQ(kind_in("qemu-" + GetParam() + "-active-commit-graph.qmpt", "c2"), std::nullopt);
  // The block-backend "disk0" is a node of the graph too, but no job.
  EXPECT_EQ(kind_in("qemu-" + GetParam() + "-commit-graph.qmpt", "disk0"), std::nullopt);
}

std::string version_name(const ::testing::TestParamInfo<std::string>& p) {
  std::string name = "qemu_" + p.param;
  name[name.find('.')] = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Qemu, RecordedGraph, ::testing::Values("5.2", "7.2", "10.0"), version_name);

std::optional<JobKind> kind_of(const char* graph) {
  auto d = qmp::json::parse_object(graph);
  EXPECT_TRUE(d);
  return d ? commit_kind_from_block_graph(*d, "c1") : std::nullopt;
}

TEST(CommitKind, AJobThatHoldsNoNodesDoesNotSay) {
  // After its end a job lets go of its nodes; whatever it was, the graph no longer tells.
  EXPECT_EQ(kind_of(R"({"nodes":[{"name":"c1","type":"block-job","id":5}],"edges":[]})"), std::nullopt);
  // Edges of another parent are not the job's.
  EXPECT_EQ(kind_of(R"({"nodes":[{"name":"c1","type":"block-job","id":5},{"name":"m","type":"block-job","id":6}],)"
                    R"("edges":[{"name":"target","parent":6,"child":1}]})"),
            std::nullopt);
  EXPECT_EQ(kind_of(R"({"nodes":[],"edges":[]})"), std::nullopt);
  EXPECT_EQ(kind_of(R"({"nodes":"x"})"), std::nullopt);
}

}  // namespace
}  // namespace mirror
