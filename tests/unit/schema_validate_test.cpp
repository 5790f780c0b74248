// Schema::validate on the schemas recorded from QEMU 5.2, 7.2 and 10.0: real commands accepted as QEMU takes them,
// and each kind of refusal with its exact message.
#include "schema_fixtures.hpp"

#include <gtest/gtest.h>

namespace {

using schema_test::json_doc;
using schema_test::recorded_schema;

class RecordedSchemaValidate : public testing::TestWithParam<std::string> {
 protected:
  const qmp::Schema& schema() const { return recorded_schema(GetParam()); }
  // "OK" when accepted, else the violation's text.
  std::string check(std::string_view command, std::string_view arguments) const {
    const auto doc = json_doc(arguments);
    const auto violation = schema().validate(command, doc);
    return violation ? violation->text() : "OK";
  }
};

INSTANTIATE_TEST_SUITE_P(Qemu, RecordedSchemaValidate, schema_test::kRecordedVersions, schema_test::version_name);

TEST_P(RecordedSchemaValidate, DriveMirrorAccepted) {
  EXPECT_EQ(check("drive-mirror", R"({"device":"drive0","target":"/tmp/t.qcow2","sync":"full","format":"qcow2",)"
                                  R"("job-id":"job0","speed":0,"unmap":true,"granularity":65536})"),
            "OK");
}

TEST_P(RecordedSchemaValidate, EnumValueOutsideTheEnum) {
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"ful"})"),
            R"(arguments.sync: expected one of top|full|none|incremental|bitmap, got "ful")");
}

TEST_P(RecordedSchemaValidate, EnumGivenAnotherJsonType) {
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":1})"),
            "arguments.sync: expected one of top|full|none|incremental|bitmap, got 1");
}

TEST_P(RecordedSchemaValidate, RequiredMemberMissing) {
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","sync":"full"})"), "arguments.target: required member missing");
}

TEST_P(RecordedSchemaValidate, UnexpectedMemberListsWhatIsTaken) {
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","bogus":1})"),
            "arguments.bogus: unexpected member (taken here: auto-dismiss|auto-finalize|buf-size|copy-mode|device|"
            "format|granularity|job-id|mode|node-name|on-source-error|on-target-error|replaces|speed|sync|target|"
            "unmap)");
}

TEST_P(RecordedSchemaValidate, WrongJsonTypes) {
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","speed":"fast"})"),
            R"(arguments.speed: expected an integer, got "fast")");
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","speed":1.5})"),
            "arguments.speed: expected an integer, got 1.5");
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","unmap":"yes"})"),
            R"(arguments.unmap: expected true or false, got "yes")");
  EXPECT_EQ(check("drive-mirror", R"({"device":7,"target":"t","sync":"full"})"),
            "arguments.device: expected a string, got 7");
  EXPECT_EQ(check("drive-mirror", R"({"device":null,"target":"t","sync":"full"})"),
            "arguments.device: expected a string, got null");
}

TEST_P(RecordedSchemaValidate, IntegersSpanInt64AndUint64) {
  // Introspection reports int8 ... uint64 and size as "int": any integer QEMU's parser can hold passes.
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","speed":-9223372036854775808})"), "OK");
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","speed":18446744073709551615})"), "OK");
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","speed":18446744073709551616})"),
            "arguments.speed: expected an integer, got 18446744073709553000.0");
}

TEST_P(RecordedSchemaValidate, LongValuesAreShortenedInTheMessage) {
  EXPECT_EQ(check("drive-mirror", R"({"device":"d","target":"t","sync":"full","speed":")" + std::string(100, 'x') +
                                      R"("})"),
            R"(arguments.speed: expected an integer, got ")" + std::string(59, 'x') + "...");
}

TEST_P(RecordedSchemaValidate, UnknownCommand) {
  EXPECT_EQ(check("drive-mirorr", "{}"), R"(unknown command "drive-mirorr" (not in this QEMU's schema))");
}

TEST_P(RecordedSchemaValidate, ArgumentsThatAreNoObject) {
  EXPECT_EQ(check("query-status", "null"), "OK");
  EXPECT_EQ(check("query-status", "[1]"), "arguments: expected an object, got [1]");
  EXPECT_EQ(check("query-status", R"({"x":1})"), "arguments.x: unexpected member (none are taken here)");
}

TEST_P(RecordedSchemaValidate, BlockdevAddWithNestedDriverUnions) {
  EXPECT_EQ(check("blockdev-add", R"({"driver":"qcow2","node-name":"n0","file":{"driver":"file","filename":"/x"}})"),
            "OK");
  EXPECT_EQ(check("blockdev-add", R"({"driver":"qcow2","node-name":"n0","file":"proto0"})"), "OK");  // a reference
  EXPECT_EQ(check("blockdev-add", R"({"driver":"raw","node-name":"n0","file":{"driver":"blkdebug",)"
                                  R"("inject-error":[{"event":"write_aio","errno":5,"sector":16384,"once":true}],)"
                                  R"("image":{"driver":"file","filename":"/x"}}})"),
            "OK");
  EXPECT_EQ(check("blockdev-add", R"({"driver":"null-co","node-name":"n0","size":1048576,"latency-ns":5})"), "OK");
}

TEST_P(RecordedSchemaValidate, BlockdevAddRefusalsNameTheNestedPath) {
  EXPECT_EQ(check("blockdev-add", R"({"driver":"qcow2","node-name":"n0","file":{"driver":"file"}})"),
            "arguments.file.filename: required member missing");
  EXPECT_EQ(check("blockdev-add", R"({"driver":"qcow2","node-name":"n0","file":5})"),
            "arguments.file: expected an object or a string, got 5");
  EXPECT_EQ(check("blockdev-add", R"({"node-name":"n0"})"), "arguments.driver: required member missing");
  EXPECT_EQ(check("blockdev-add", R"({"driver":"null-co","node-name":"n0","filename":"/x"})"),
            "arguments.filename: unexpected member (taken here: " +
                std::string(GetParam() == "10.0" ? "active|" : "") +
                "auto-read-only|cache|detect-zeroes|discard|driver|force-share|latency-ns|node-name|read-only|"
                "read-zeroes|size)");
  const std::string bad_driver = check("blockdev-add", R"({"driver":"qcow2","file":{"driver":"fil","filename":"/x"}})");
  EXPECT_EQ(bad_driver.rfind("arguments.file.driver: expected one of blkdebug|", 0), 0u) << bad_driver;
  EXPECT_NE(bad_driver.find("|file|"), std::string::npos) << bad_driver;
  EXPECT_EQ(bad_driver.substr(bad_driver.size() - 11), R"(, got "fil")") << bad_driver;
}

TEST_P(RecordedSchemaValidate, ATagIsCheckedBeforeTheMembersOfItsVariant) {
  // With a wrong driver, "filename" would look unexpected; the driver is what is wrong.
  const std::string text = check("blockdev-add", R"({"filename":"/x","driver":"fle","node-name":"n0"})");
  EXPECT_EQ(text.rfind("arguments.driver: expected one of ", 0), 0u) << text;
}

TEST_P(RecordedSchemaValidate, BlockdevMirror) {
  EXPECT_EQ(check("blockdev-mirror", R"({"job-id":"job0","device":"src0","target":"tgt0","sync":"full",)"
                                     R"("auto-finalize":false,"auto-dismiss":false})"),
            "OK");
  EXPECT_EQ(check("blockdev-mirror", R"({"job-id":"job0","device":"src0","sync":"full"})"),
            "arguments.target: required member missing");
}

TEST_P(RecordedSchemaValidate, TransactionActionsAreAnArrayOfAUnion) {
  EXPECT_EQ(check("transaction", R"({"actions":[{"type":"abort","data":{}},)"
                                 R"({"type":"block-dirty-bitmap-add","data":{"node":"n","name":"b"}}]})"),
            "OK");
  EXPECT_EQ(check("transaction", R"({"actions":[{"type":"abort","data":{}},)"
                                 R"({"type":"block-dirty-bitmap-add","data":{"node":"n","name":"b"}},)"
                                 R"({"type":"drive-backup","data":{"device":"d","target":"t","sync":"ful"}}]})"),
            R"(arguments.actions[2].data.sync: expected one of top|full|none|incremental|bitmap, got "ful")");
  EXPECT_EQ(check("transaction", R"({"actions":[{"type":"block-dirty-bitmap-add","data":{"node":"n"}}]})"),
            "arguments.actions[0].data.name: required member missing");
  EXPECT_EQ(check("transaction", R"({"actions":{}})"), "arguments.actions: expected an array, got {}");
}

TEST_P(RecordedSchemaValidate, AnyValuesAreNotLookedInto) {
  EXPECT_EQ(check("qom-set", R"({"path":"/machine","property":"x","value":{"deep":[1,null,"s"]}})"), "OK");
  EXPECT_EQ(check("qom-set", R"({"path":"/machine","property":"x","value":null})"), "OK");
  EXPECT_EQ(check("qom-set", R"({"path":"/machine","property":"x"})"), "arguments.value: required member missing");
}

}  // namespace
