// Schema::from_reply: the SchemaInfo list of query-qmp-schema read into a SchemaModel, every type name resolved.
#include "qmp/schema.hpp"

#include "detail/schema_model.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace qmp {
namespace {

using detail::JsonKind;
using detail::SchemaKind;
using detail::SchemaModel;
using detail::SchemaType;

struct BuiltinRange {
  const char* name;
  std::int64_t min;
  std::uint64_t max;
};

// The integer builtins by name; introspection reports them all as "int", but a schema may name them.
constexpr BuiltinRange kIntegerBuiltins[] = {
    {"int8", INT8_MIN, INT8_MAX},
    {"int16", INT16_MIN, INT16_MAX},
    {"int32", INT32_MIN, INT32_MAX},
    {"int64", INT64_MIN, INT64_MAX},
    {"uint8", 0, UINT8_MAX},
    {"uint16", 0, UINT16_MAX},
    {"uint32", 0, UINT32_MAX},
    {"uint64", 0, UINT64_MAX},
    {"size", 0, UINT64_MAX},
};

std::optional<JsonKind> json_kind(std::string_view json_type) {
  if (json_type == "string") return JsonKind::string;
  if (json_type == "int") return JsonKind::integer;
  if (json_type == "number") return JsonKind::number;
  if (json_type == "boolean") return JsonKind::boolean;
  if (json_type == "null") return JsonKind::null;
  if (json_type == "value") return JsonKind::any;
  return std::nullopt;
}

// Builds the model in two passes: the entries with their type names, then every name resolved to an index.
class Builder {
 public:
  explicit Builder(std::string* error) : error_(error) {}

  std::shared_ptr<SchemaModel> build(const json::Value& list) {
    if (!list.IsArray()) return fail("the reply of query-qmp-schema is not a list of SchemaInfo objects");
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      entry_ = i;
      if (!read_entry(list[i])) return nullptr;
    }
    for (std::size_t i = 0; i < model_->types.size(); ++i) {
      if (!resolve_type(i)) return nullptr;
    }
    for (auto& [name, command] : pending_commands_) {
      auto& out = model_->commands[name];
      const auto args = lookup(command.arguments, "command \"" + name + "\"");
      const auto ret = lookup(command.returns, "command \"" + name + "\"");
      if (!args || !ret) return nullptr;
      if (model_->types[*args].kind != SchemaKind::object)
        return fail("command \"" + name + "\": its arg-type \"" + command.arguments + "\" is not an object type");
      out.arguments = *args;
      out.returns = *ret;
      out.allow_oob = command.allow_oob;
    }
    std::sort(model_->events.begin(), model_->events.end());
    return std::move(model_);
  }

 private:
  struct PendingCommand {
    std::string arguments, returns;
    bool allow_oob = false;
  };
  // Type names as the reply gives them, resolved in the second pass.
  struct Names {
    std::string element;
    std::vector<std::string> members, variants, branches;
  };

  std::nullptr_t fail(const std::string& what) {
    if (error_) *error_ = what;
    return nullptr;
  }
  bool entry_fail(const std::string& what) {
    fail("entry " + std::to_string(entry_) + (name_.empty() ? "" : " (name \"" + name_ + "\")") + ": " + what);
    return false;
  }

  const json::Value* string_member(const json::Value& v, std::string_view key, std::string& out) {
    const json::Value* m = json::find(v, key);
    if (!m) {
      entry_fail("member \"" + std::string(key) + "\" missing");
      return nullptr;
    }
    if (!m->IsString()) {
      entry_fail("member \"" + std::string(key) + "\" is not a string");
      return nullptr;
    }
    out.assign(json::view(*m));
    return m;
  }

  const json::Value* array_member(const json::Value& v, std::string_view key) {
    const json::Value* m = json::find(v, key);
    if (!m || !m->IsArray()) {
      entry_fail("member \"" + std::string(key) + (m ? "\" is not a list" : "\" missing"));
      return nullptr;
    }
    return m;
  }

  bool read_entry(const json::Value& e) {
    name_.clear();
    if (!e.IsObject()) return entry_fail("not an object");
    std::string meta;
    if (!string_member(e, "name", name_) || !string_member(e, "meta-type", meta)) return false;
    if (meta == "command") return read_command(e);
    if (meta == "event") {
      model_->events.push_back(name_);
      return true;
    }
    SchemaType t;
    t.name = name_;
    Names names;
    if (meta == "builtin") {
      if (!read_builtin(e, t)) return false;
    } else if (meta == "enum") {
      t.kind = SchemaKind::enumeration;
      const json::Value* values = array_member(e, "values");
      if (!values) return false;
      for (const auto& v : values->GetArray()) {
        if (!v.IsString()) return entry_fail("an enum value is not a string");
        t.values.emplace_back(json::view(v));
      }
    } else if (meta == "array") {
      t.kind = SchemaKind::array;
      if (!string_member(e, "element-type", names.element)) return false;
    } else if (meta == "object") {
      t.kind = SchemaKind::object;
      if (!read_object(e, t, names)) return false;
    } else if (meta == "alternate") {
      t.kind = SchemaKind::alternate;
      const json::Value* members = array_member(e, "members");
      if (!members) return false;
      for (const auto& m : members->GetArray()) {
        std::string type;
        if (!string_member(m, "type", type)) return false;
        names.branches.push_back(std::move(type));
      }
    } else {
      return true;  // a meta-type of a later QEMU: nothing refers to it here
    }
    if (index_.contains(t.name)) return entry_fail("type defined twice");
    index_.emplace(t.name, model_->types.size());
    model_->types.push_back(std::move(t));
    names_.push_back(std::move(names));
    return true;
  }

  bool read_builtin(const json::Value& e, SchemaType& t) {
    std::string json_type;
    if (!string_member(e, "json-type", json_type)) return false;
    const auto kind = json_kind(json_type);
    if (!kind) return entry_fail("unknown json-type \"" + json_type + "\"");
    t.json = *kind;
    t.min = std::numeric_limits<std::int64_t>::min();
    t.max = std::numeric_limits<std::uint64_t>::max();
    for (const auto& r : kIntegerBuiltins) {
      if (t.name == r.name) {
        t.min = r.min;
        t.max = r.max;
      }
    }
    return true;
  }

  bool read_object(const json::Value& e, SchemaType& t, Names& names) {
    const json::Value* members = array_member(e, "members");
    if (!members) return false;
    for (const auto& m : members->GetArray()) {
      detail::SchemaMember member;
      std::string type;
      if (!string_member(m, "name", member.name) || !string_member(m, "type", type)) return false;
      member.optional = json::find(m, "default") != nullptr;  // present (always null) marks an optional member
      t.members.push_back(std::move(member));
      names.members.push_back(std::move(type));
    }
    if (!json::find(e, "tag")) return true;
    if (!string_member(e, "tag", t.tag)) return false;
    if (std::none_of(t.members.begin(), t.members.end(), [&](const auto& m) { return m.name == t.tag; }))
      return entry_fail("the tag \"" + t.tag + "\" is not one of the members");
    const json::Value* variants = array_member(e, "variants");
    if (!variants) return false;
    for (const auto& v : variants->GetArray()) {
      detail::SchemaVariant variant;
      std::string type;
      if (!string_member(v, "case", variant.value) || !string_member(v, "type", type)) return false;
      t.variants.push_back(std::move(variant));
      names.variants.push_back(std::move(type));
    }
    return true;
  }

  bool read_command(const json::Value& e) {
    PendingCommand c;
    if (!string_member(e, "arg-type", c.arguments) || !string_member(e, "ret-type", c.returns)) return false;
    c.allow_oob = json::get_bool(e, "allow-oob").value_or(false);
    pending_commands_.emplace_back(name_, std::move(c));
    return true;
  }

  std::optional<std::size_t> lookup(const std::string& name, const std::string& user) {
    const auto it = index_.find(name);
    if (it == index_.end()) {
      fail(user + " refers to the type \"" + name + "\", which the schema does not define");
      return std::nullopt;
    }
    return it->second;
  }

  bool resolve_type(std::size_t i) {
    SchemaType& t = model_->types[i];
    const Names& n = names_[i];
    const std::string user = "type \"" + t.name + "\"";
    if (t.kind == SchemaKind::array) {
      const auto e = lookup(n.element, user);
      if (!e) return false;
      t.element = *e;
    }
    for (std::size_t m = 0; m < n.members.size(); ++m) {
      const auto type = lookup(n.members[m], user);
      if (!type) return false;
      t.members[m].type = *type;
    }
    for (std::size_t v = 0; v < n.variants.size(); ++v) {
      const auto type = lookup(n.variants[v], user);
      if (!type) return false;
      if (model_->types[*type].kind != SchemaKind::object)
        return fail(user + ": the variant \"" + t.variants[v].value + "\" is not an object type"), false;
      t.variants[v].type = *type;
    }
    for (const auto& b : n.branches) {
      const auto type = lookup(b, user);
      if (!type) return false;
      t.branches.push_back(*type);
    }
    return true;
  }

  std::string* error_;
  std::shared_ptr<SchemaModel> model_ = std::make_shared<SchemaModel>();
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<Names> names_;
  std::vector<std::pair<std::string, PendingCommand>> pending_commands_;
  std::size_t entry_ = 0;
  std::string name_;
};

}  // namespace

std::optional<Schema> Schema::from_reply(const json::Value& query_qmp_schema_return, std::string* error) {
  auto model = Builder(error).build(query_qmp_schema_return);
  if (!model) return std::nullopt;
  return Schema(std::move(model));
}

}  // namespace qmp
