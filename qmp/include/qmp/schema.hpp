// What a QEMU accepts, from its own description of itself: the "return" value of query-qmp-schema (a list of
// SchemaInfo objects). No I/O: built from a reply, then asked about commands, completions, and whether a command's
// arguments would be accepted, before anything is sent.
//
//   auto schema = qmp::Schema::from_reply(reply.value(), &error);
//   schema->member_names("drive-mirror", "")        // {"auto-dismiss", "auto-finalize", ..., "target", ...}
//   schema->enum_values("drive-mirror", "sync")     // {"full", "top", "none", "incremental", "bitmap"}
//   schema->validate("drive-mirror", args)          // "arguments.sync: expected one of full|top|...|bitmap, got \"ful\""
//
// The reply names most types by masked numbers ("1", "2", ...); they are resolved while the schema is built, so a
// reference to a type the reply does not define makes from_reply() fail. Meta-types and SchemaInfo members this
// code does not know are ignored (newer QEMUs may add them).
//
// Paths (completion): dotted member names inside a command's arguments, "" for the top level, "target.file" for a
// nested object; an array is stepped into by an index, "actions.0" or "actions[0]", or by a member name straight
// after it ("actions.type" reads as "actions[0].type" without an element to look at). An alternate is stepped into
// through its object branch. A flat union's variant members count only where `arguments` (the whole arguments
// object of the command, possibly partial) gives the value of its tag at that place; otherwise only its common
// members (the tag among them) are offered.
//
// Validation checks what QEMU's input visitor would refuse: an unknown command, an unexpected member, a missing
// required member, a value of the wrong JSON type (an integer where "int" is asked, never 1.5 or "1"), an enum
// value outside the enum, arrays element by element, nested objects, flat unions by their tag's value, alternates
// by the branch the JSON type selects. Values of type "any" are not looked into. QEMU's introspection reports every
// integer type (int8 ... uint64, size) as "int": such a value is checked to be an integer between -2^63 and
// 2^64-1; the narrower ranges apply only to a schema that names the builtins themselves.
#pragma once

#include "qmp/json.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmp {

namespace detail {
struct SchemaModel;
}

// Why arguments would be refused: where ("arguments.target.driver", "arguments.items[2]"; empty for an unknown
// command) and what was expected and got.
struct SchemaViolation {
  std::string path;
  std::string message;
  // "arguments.sync: expected one of full|top|none|incremental|bitmap, got \"ful\"" (the message alone when the
  // path is empty).
  std::string text() const;
};

class Schema {
 public:
  // Builds the schema from the "return" value of query-qmp-schema. Nullopt when it is not such a list, with `error`
  // (when given) saying what was wrong ("entry 12 (name \"7\"): member \"type\" missing").
  static std::optional<Schema> from_reply(const json::Value& query_qmp_schema_return, std::string* error = nullptr);

  std::vector<std::string> command_names() const;  // sorted
  std::vector<std::string> event_names() const;    // sorted
  bool has_command(std::string_view command) const;
  // Whether the command may be sent out of band ("allow-oob": true); false for an unknown command.
  bool allows_oob(std::string_view command) const;

  // Member names allowed at `path` inside the command's arguments, sorted; empty when the command is unknown or
  // the path does not lead to an object.
  std::vector<std::string> member_names(std::string_view command, std::string_view path,
                                        const json::Value* arguments = nullptr) const;
  // The values the member at `path` may take, in the schema's order: an enum's values, "true", "false" for a
  // boolean (an alternate: those of its enum and boolean branches). Empty otherwise.
  std::vector<std::string> enum_values(std::string_view command, std::string_view path,
                                       const json::Value* arguments = nullptr) const;

  // The first reason QEMU would refuse `arguments` for `command` (checked in this order: the command; a flat
  // union's tag; each given member in the order given; then missing members in the schema's order), or nullopt
  // when nothing is wrong. `arguments` null stands for no arguments ({}).
  std::optional<SchemaViolation> validate(std::string_view command, const json::Value& arguments) const;

 private:
  explicit Schema(std::shared_ptr<const detail::SchemaModel> model) : model_(std::move(model)) {}
  std::shared_ptr<const detail::SchemaModel> model_;
};

}  // namespace qmp
