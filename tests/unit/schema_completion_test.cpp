// Schema's completion lists on the schemas recorded from QEMU 5.2, 7.2 and 10.0: commands, members at a path
// (flat unions following their tag), enum values.
#include "schema_fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using schema_test::json_doc;
using schema_test::recorded_schema;
using Names = std::vector<std::string>;

class RecordedSchemaCompletion : public testing::TestWithParam<std::string> {
 protected:
  const qmp::Schema& schema() const { return recorded_schema(GetParam()); }
  Names members(std::string_view command, std::string_view path, std::string_view arguments = "{}") const {
    const auto doc = json_doc(arguments);
    return schema().member_names(command, path, &doc);
  }
  Names values(std::string_view command, std::string_view path, std::string_view arguments = "{}") const {
    const auto doc = json_doc(arguments);
    return schema().enum_values(command, path, &doc);
  }
  // "active" is a member of every block node from QEMU 10.0 on.
  Names with_active(Names names) const {
    if (GetParam() == "10.0") names.insert(names.begin(), "active");
    return names;
  }
};

INSTANTIATE_TEST_SUITE_P(Qemu, RecordedSchemaCompletion, schema_test::kRecordedVersions, schema_test::version_name);

TEST_P(RecordedSchemaCompletion, CommandNamesAreSorted) {
  const Names names = schema().command_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_GT(names.size(), 150u);
  for (const char* c : {"drive-mirror", "blockdev-add", "query-qmp-schema", "qmp_capabilities", "transaction"}) {
    EXPECT_TRUE(schema().has_command(c)) << c;
    EXPECT_NE(std::find(names.begin(), names.end(), c), names.end()) << c;
  }
  EXPECT_FALSE(schema().has_command("drive-mirorr"));
  EXPECT_FALSE(schema().has_command("BLOCK_JOB_READY"));  // an event
}

TEST_P(RecordedSchemaCompletion, EventNamesAndOob) {
  const Names events = schema().event_names();
  EXPECT_TRUE(std::is_sorted(events.begin(), events.end()));
  EXPECT_NE(std::find(events.begin(), events.end(), "BLOCK_JOB_READY"), events.end());
  EXPECT_TRUE(schema().allows_oob("migrate-pause"));
  EXPECT_FALSE(schema().allows_oob("query-status"));
  EXPECT_FALSE(schema().allows_oob("no-such-command"));
}

TEST_P(RecordedSchemaCompletion, TopLevelMembersOfDriveMirror) {
  EXPECT_EQ(members("drive-mirror", ""),
            (Names{"auto-dismiss", "auto-finalize", "buf-size", "copy-mode", "device", "format", "granularity",
                   "job-id", "mode", "node-name", "on-source-error", "on-target-error", "replaces", "speed", "sync",
                   "target", "unmap"}));
  EXPECT_EQ(schema().member_names("drive-mirror", ""), members("drive-mirror", ""));  // no arguments given
}

TEST_P(RecordedSchemaCompletion, EnumValues) {
  EXPECT_EQ(values("drive-mirror", "sync"), (Names{"top", "full", "none", "incremental", "bitmap"}));
  EXPECT_EQ(values("drive-mirror", "unmap"), (Names{"true", "false"}));
  EXPECT_EQ(values("drive-mirror", "device"), Names{});
  EXPECT_EQ(values("drive-mirror", "no-such-member"), Names{});
  EXPECT_EQ(values("qmp_capabilities", "enable"), Names{"oob"});  // an array of an enum
  EXPECT_EQ(values("qom-set", "value"), Names{});
}

TEST_P(RecordedSchemaCompletion, BlockdevAddFollowsTheDriver) {
  const Names common = with_active({"auto-read-only", "cache", "detect-zeroes", "discard", "driver", "force-share",
                                    "node-name", "read-only"});
  EXPECT_EQ(members("blockdev-add", ""), common);
  EXPECT_EQ(members("blockdev-add", "", R"({"driver":"null-co"})"),
            with_active({"auto-read-only", "cache", "detect-zeroes", "discard", "driver", "force-share", "latency-ns",
                         "node-name", "read-only", "read-zeroes", "size"}));
  EXPECT_EQ(members("blockdev-add", "", R"({"driver":"no-such-driver"})"), common);
  const Names qcow2 = members("blockdev-add", "", R"({"driver":"qcow2"})");
  for (const char* m : {"file", "backing", "lazy-refcounts", "cache-size"})
    EXPECT_NE(std::find(qcow2.begin(), qcow2.end(), m), qcow2.end()) << m;
}

TEST_P(RecordedSchemaCompletion, NestedBlockdevAddMembers) {
  // "file" is an alternate (a node name or a node's options): its object branch, with its own driver.
  EXPECT_EQ(members("blockdev-add", "file", R"({"driver":"qcow2"})"),
            with_active({"auto-read-only", "cache", "detect-zeroes", "discard", "driver", "force-share", "node-name",
                         "read-only"}));
  const Names file = members("blockdev-add", "file", R"({"driver":"qcow2","file":{"driver":"file"}})");
  for (const char* m : {"filename", "aio", "locking", "driver"})
    EXPECT_NE(std::find(file.begin(), file.end(), m), file.end()) << m;
  EXPECT_EQ(members("blockdev-add", "file.file", R"({"driver":"raw","file":{"driver":"qcow2"}})"),
            members("blockdev-add", "file", R"({"driver":"qcow2"})"));
  const Names drivers = values("blockdev-add", "file.driver", R"({"driver":"qcow2"})");
  EXPECT_EQ(drivers, values("blockdev-add", "driver"));
  EXPECT_NE(std::find(drivers.begin(), drivers.end(), "null-co"), drivers.end());
  EXPECT_EQ(members("blockdev-add", "file", R"({"driver":"null-co"})"), Names{});  // null-co has no file
}

TEST_P(RecordedSchemaCompletion, ArraysOfUnions) {
  EXPECT_EQ(members("transaction", ""), (Names{"actions", "properties"}));
  EXPECT_EQ(members("transaction", "actions"), Names{"type"});  // the union's tag, before it is given
  EXPECT_EQ(members("transaction", "actions[1]", R"({"actions":[{},{"type":"abort"}]})"), (Names{"data", "type"}));
  EXPECT_EQ(members("transaction", "actions[1].data", R"({"actions":[{},{"type":"block-dirty-bitmap-add"}]})"),
            (Names{"disabled", "granularity", "name", "node", "persistent"}));
  EXPECT_EQ(members("transaction", "actions.1.data", R"({"actions":[{},{"type":"block-dirty-bitmap-add"}]})"),
            members("transaction", "actions[1].data", R"({"actions":[{},{"type":"block-dirty-bitmap-add"}]})"));
  const Names types = values("transaction", "actions.type");
  EXPECT_EQ(types.front(), "abort");
  EXPECT_NE(std::find(types.begin(), types.end(), "drive-backup"), types.end());
}

TEST_P(RecordedSchemaCompletion, PathsThatLeadNowhere) {
  EXPECT_EQ(members("no-such-command", ""), Names{});
  EXPECT_EQ(members("drive-mirror", "sync"), Names{});  // an enum, not an object
  EXPECT_EQ(members("drive-mirror", "nope"), Names{});
  EXPECT_EQ(members("drive-mirror", "device..x"), Names{});
  EXPECT_EQ(members("transaction", "actions[x]"), Names{});
  EXPECT_EQ(members("transaction", "actions[0"), Names{});
  EXPECT_EQ(values("no-such-command", "sync"), Names{});
}

}  // namespace
