// The resolved form of a query-qmp-schema reply that qmp::Schema answers from: every type reference is an index
// into `types`, checked when the model was built.
#pragma once

#include "qmp/json.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qmp::detail {

enum class SchemaKind { builtin, enumeration, array, object, alternate };

// What a builtin accepts.
enum class JsonKind { string, integer, number, boolean, null, any };

struct SchemaMember {
  std::string name;
  std::size_t type = 0;
  bool optional = false;
};

struct SchemaVariant {
  std::string value;  // the tag's value that selects it
  std::size_t type = 0;
};

struct SchemaType {
  SchemaKind kind = SchemaKind::builtin;
  std::string name;  // as in the reply (masked: "123")
  // builtin
  JsonKind json = JsonKind::any;
  std::int64_t min = 0;       // integer range of int8 ... uint64 and size (int: int64's minimum ...
  std::uint64_t max = 0;      // ... and uint64's maximum)
  // enumeration
  std::vector<std::string> values;
  // array
  std::size_t element = 0;
  // object: members common to every variant, then the flat union's tag and variants (tag empty: not a union)
  std::vector<SchemaMember> members;
  std::string tag;
  std::vector<SchemaVariant> variants;
  // alternate: the branches' types
  std::vector<std::size_t> branches;
};

struct SchemaCommand {
  std::size_t arguments = 0;  // an object type
  std::size_t returns = 0;
  bool allow_oob = false;
};

struct SchemaModel {
  std::vector<SchemaType> types;
  std::map<std::string, SchemaCommand, std::less<>> commands;
  std::vector<std::string> events;  // sorted
};

// The members of the object type `t` that apply to the object `value` (null: none known): the common members, then
// those of the variant that the tag's value in `value` selects, and so on down nested unions.
void effective_members(const SchemaModel& model, const SchemaType& t, const json::Value* value,
                       std::vector<const SchemaMember*>& out);
// The variant type of the union `t` that the tag's value in `value` selects; nullptr when `t` is no union, the tag
// is absent or not a string, or no variant has that value.
const SchemaType* selected_variant(const SchemaModel& model, const SchemaType& t, const json::Value* value);
// Whether `v` has the JSON type the type `t` takes (for an alternate: whether one of its branches does).
bool json_type_fits(const SchemaModel& model, const SchemaType& t, const json::Value& v);
// The branch of the alternate `t` that takes values of `v`'s JSON type, or nullptr.
const SchemaType* alternate_branch(const SchemaModel& model, const SchemaType& t, const json::Value& v);

}  // namespace qmp::detail
