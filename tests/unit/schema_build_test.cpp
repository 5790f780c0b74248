// Schema::from_reply on small hand-written SchemaInfo lists: what makes a reply unusable, and the parts of the
// model the recorded schemas do not show (named integer builtins, optional tags, unknown meta-types).
#include "schema_fixtures.hpp"

#include <gtest/gtest.h>

namespace {

using schema_test::json_doc;

std::string build_error(std::string_view reply) {
  const auto doc = json_doc(reply);
  std::string error;
  const auto schema = qmp::Schema::from_reply(doc, &error);
  return schema ? "built" : error;
}

qmp::Schema build(std::string_view reply) {
  const auto doc = json_doc(reply);
  std::string error;
  auto schema = qmp::Schema::from_reply(doc, &error);
  if (!schema) throw std::runtime_error(error);
  return std::move(*schema);
}

std::string check(const qmp::Schema& schema, std::string_view command, std::string_view arguments) {
  const auto doc = json_doc(arguments);
  const auto violation = schema.validate(command, doc);
  return violation ? violation->text() : "OK";
}

// A command "c" taking one member "x" of type `type`, with the builtins and any further entries.
std::string one_member(std::string_view type, std::string_view more = "") {
  return std::string(R"([{"name":"c","meta-type":"command","arg-type":"a","ret-type":"n"},)"
                     R"({"name":"a","meta-type":"object","members":[{"name":"x","type":")") +
         std::string(type) + R"("}]},{"name":"n","meta-type":"object","members":[]},)" +
         R"({"name":"int8","meta-type":"builtin","json-type":"int"},)"
         R"({"name":"uint16","meta-type":"builtin","json-type":"int"},)"
         R"({"name":"size","meta-type":"builtin","json-type":"int"},)"
         R"({"name":"number","meta-type":"builtin","json-type":"number"},)"
         R"({"name":"str","meta-type":"builtin","json-type":"string"},)"
         R"({"name":"null","meta-type":"builtin","json-type":"null"})" +
         std::string(more) + "]";
}

TEST(SchemaBuild, RefusesWhatIsNoSchema) {
  EXPECT_EQ(build_error("{}"), "the reply of query-qmp-schema is not a list of SchemaInfo objects");
  EXPECT_EQ(build_error("[1]"), "entry 0: not an object");
  EXPECT_EQ(build_error(R"([{"meta-type":"enum","values":[]}])"), R"(entry 0: member "name" missing)");
  EXPECT_EQ(build_error(R"([{"name":"e","meta-type":"enum","values":[1]}])"),
            R"(entry 0 (name "e"): an enum value is not a string)");
  EXPECT_EQ(build_error(R"([{"name":"e","meta-type":"enum"}])"), R"(entry 0 (name "e"): member "values" missing)");
  EXPECT_EQ(build_error(R"([{"name":"b","meta-type":"builtin","json-type":"blob"}])"),
            R"(entry 0 (name "b"): unknown json-type "blob")");
  EXPECT_EQ(build_error(R"([{"name":"e","meta-type":"enum","values":[]},{"name":"e","meta-type":"enum","values":[]}])"),
            R"(entry 1 (name "e"): type defined twice)");
}

TEST(SchemaBuild, RefusesReferencesToUndefinedTypes) {
  EXPECT_EQ(build_error(R"([{"name":"c","meta-type":"command","arg-type":"9","ret-type":"9"}])"),
            R"(command "c" refers to the type "9", which the schema does not define)");
  EXPECT_EQ(build_error(R"([{"name":"1","meta-type":"array","element-type":"2"}])"),
            R"(type "1" refers to the type "2", which the schema does not define)");
  EXPECT_EQ(build_error(one_member("int8", R"(,{"name":"c2","meta-type":"command","arg-type":"str","ret-type":"n"})")),
            R"(command "c2": its arg-type "str" is not an object type)");
  EXPECT_EQ(build_error(R"([{"name":"o","meta-type":"object","members":[{"name":"k","type":"o"}],"tag":"t",)"
                        R"("variants":[]}])"),
            R"(entry 0 (name "o"): the tag "t" is not one of the members)");
}

TEST(SchemaBuild, IgnoresUnknownMetaTypesAndMembers) {
  EXPECT_EQ(build_error(R"([{"name":"x","meta-type":"hologram"},)"
                        R"({"name":"e","meta-type":"enum","values":["a"],"features":["deprecated"],"future":1}])"),
            "built");
}

TEST(SchemaBuild, NamedIntegerBuiltinsHaveTheirRanges) {
  const auto s = build(one_member("int8"));
  EXPECT_EQ(check(s, "c", R"({"x":-128})"), "OK");
  EXPECT_EQ(check(s, "c", R"({"x":127})"), "OK");
  EXPECT_EQ(check(s, "c", R"({"x":128})"), "arguments.x: expected an integer from -128 to 127, got 128");
  EXPECT_EQ(check(s, "c", R"({"x":-129})"), "arguments.x: expected an integer from -128 to 127, got -129");
  const auto u = build(one_member("uint16"));
  EXPECT_EQ(check(u, "c", R"({"x":65535})"), "OK");
  EXPECT_EQ(check(u, "c", R"({"x":-1})"), "arguments.x: expected an integer from 0 to 65535, got -1");
  const auto size = build(one_member("size"));
  EXPECT_EQ(check(size, "c", R"({"x":18446744073709551615})"), "OK");
  EXPECT_EQ(check(size, "c", R"({"x":-1})"), "arguments.x: expected an integer from 0 to 18446744073709551615, got -1");
  EXPECT_EQ(check(size, "c", R"({})"), "arguments.x: required member missing");
}

TEST(SchemaBuild, NumbersTakeIntegersToo) {
  const auto s = build(one_member("number"));
  EXPECT_EQ(check(s, "c", R"({"x":1})"), "OK");
  EXPECT_EQ(check(s, "c", R"({"x":1.5})"), "OK");
  EXPECT_EQ(check(s, "c", R"({"x":"1"})"), R"(arguments.x: expected a number, got "1")");
}

TEST(SchemaBuild, AlternatesChooseTheirBranchByJsonType) {
  const auto s = build(one_member("alt", R"(,{"name":"alt","meta-type":"alternate","members":[{"type":"null"},)"
                                         R"({"type":"number"},{"type":"e"}]},)"
                                         R"({"name":"e","meta-type":"enum","values":["on","off"]})"));
  EXPECT_EQ(check(s, "c", R"({"x":null})"), "OK");
  EXPECT_EQ(check(s, "c", R"({"x":2})"), "OK");
  EXPECT_EQ(check(s, "c", R"({"x":"on"})"), "OK");
  EXPECT_EQ(check(s, "c", R"({"x":"maybe"})"), R"(arguments.x: expected one of on|off, got "maybe")");
  EXPECT_EQ(check(s, "c", R"({"x":true})"), "arguments.x: expected null or a number or one of on|off, got true");
  EXPECT_EQ(s.enum_values("c", "x"), (std::vector<std::string>{"on", "off"}));
}

TEST(SchemaBuild, AnOptionalTagSelectsNoVariantWhenAbsent) {
  const auto s = build(one_member("int8", R"(,{"name":"c3","meta-type":"command","arg-type":"u","ret-type":"n"},)"
                                          R"({"name":"u","meta-type":"object","members":[{"name":"k","type":"e",)"
                                          R"("default":null}],"tag":"k","variants":[{"case":"on","type":"v"}]},)"
                                          R"({"name":"v","meta-type":"object","members":[{"name":"w","type":"str"}]},)"
                                          R"({"name":"e","meta-type":"enum","values":["on","off"]})"));
  EXPECT_EQ(check(s, "c3", "{}"), "OK");
  EXPECT_EQ(check(s, "c3", R"({"k":"off"})"), "OK");  // a value with no variant: the common members only
  EXPECT_EQ(check(s, "c3", R"({"k":"on"})"), "arguments.w: required member missing");
  EXPECT_EQ(check(s, "c3", R"({"w":"x"})"), "arguments.w: unexpected member (taken here: k)");
  EXPECT_EQ(check(s, "c3", R"({"k":"on","w":"x"})"), "OK");
}

TEST(SchemaViolation, TextWithAndWithoutPath) {
  EXPECT_EQ((qmp::SchemaViolation{"arguments.a", "bad"}.text()), "arguments.a: bad");
  EXPECT_EQ((qmp::SchemaViolation{"", "unknown command"}.text()), "unknown command");
}

}  // namespace
