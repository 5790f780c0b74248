// Schema::validate: a command's arguments checked against the schema the way QEMU's input visitor takes them.
#include "qmp/schema.hpp"

#include "detail/schema_model.hpp"

#include <algorithm>

namespace qmp {
namespace {

using detail::JsonKind;
using detail::SchemaKind;
using detail::SchemaMember;
using detail::SchemaModel;
using detail::SchemaType;

constexpr std::size_t kMaxGotChars = 60;

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "|") + s;
  return out;
}

// The value as JSON, shortened: what the message says was got.
std::string got(const json::Value& v) {
  std::string text = json::to_string(v);
  if (text.size() > kMaxGotChars) text = text.substr(0, kMaxGotChars) + "...";
  return text;
}

std::string describe(const SchemaModel& model, const SchemaType& t) {
  switch (t.kind) {
    case SchemaKind::enumeration: return "one of " + joined(t.values);
    case SchemaKind::array: return "an array";
    case SchemaKind::object: return "an object";
    case SchemaKind::alternate: {
      std::string out;
      for (std::size_t b : t.branches) out += (out.empty() ? "" : " or ") + describe(model, model.types[b]);
      return out;
    }
    case SchemaKind::builtin: break;
  }
  switch (t.json) {
    case JsonKind::string: return "a string";
    case JsonKind::integer:
      if (t.min == INT64_MIN && t.max == UINT64_MAX) return "an integer";
      return "an integer from " + std::to_string(t.min) + " to " + std::to_string(t.max);
    case JsonKind::number: return "a number";
    case JsonKind::boolean: return "true or false";
    case JsonKind::null: return "null";
    case JsonKind::any: return "any value";
  }
  return "";
}

bool in_range(const SchemaType& t, const json::Value& v) {
  if (v.IsInt64()) {
    const std::int64_t x = v.GetInt64();
    return x >= t.min && (x < 0 || static_cast<std::uint64_t>(x) <= t.max);
  }
  return v.GetUint64() <= t.max;  // above INT64_MAX: the minimum cannot matter
}

class Validator {
 public:
  explicit Validator(const SchemaModel& model) : model_(model) {}

  std::optional<SchemaViolation> value(const SchemaType& t, const json::Value& v, const std::string& path) const {
    if (t.kind == SchemaKind::builtin && t.json == JsonKind::any) return std::nullopt;
    if (!detail::json_type_fits(model_, t, v)) return expected(t, v, path);
    switch (t.kind) {
      case SchemaKind::builtin:
        if (t.json == JsonKind::integer && !in_range(t, v)) return expected(t, v, path);
        return std::nullopt;
      case SchemaKind::enumeration:
        if (std::find(t.values.begin(), t.values.end(), json::view(v)) == t.values.end())
          return expected(t, v, path);
        return std::nullopt;
      case SchemaKind::array:
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
          if (auto bad = value(model_.types[t.element], v[i], path + "[" + std::to_string(i) + "]")) return bad;
        }
        return std::nullopt;
      case SchemaKind::object: return object(t, v, path);
      case SchemaKind::alternate: return value(*detail::alternate_branch(model_, t, v), v, path);
    }
    return std::nullopt;
  }

 private:
  std::optional<SchemaViolation> expected(const SchemaType& t, const json::Value& v, const std::string& path) const {
    return SchemaViolation{path, "expected " + describe(model_, t) + ", got " + got(v)};
  }

  std::optional<SchemaViolation> object(const SchemaType& t, const json::Value& v, const std::string& path) const {
    // The tags first: under a wrong tag, the members of the intended variant would look unexpected.
    for (const SchemaType* level = &t; level && !level->tag.empty();
         level = detail::selected_variant(model_, *level, &v)) {
      const auto tag = std::find_if(level->members.begin(), level->members.end(),
                                    [&](const SchemaMember& m) { return m.name == level->tag; });
      const json::Value* given = json::find(v, level->tag);
      if (!given) {
        if (tag->optional) break;
        return SchemaViolation{path + "." + level->tag, "required member missing"};
      }
      if (auto bad = value(model_.types[tag->type], *given, path + "." + level->tag)) return bad;
    }
    std::vector<const SchemaMember*> members;
    detail::effective_members(model_, t, &v, members);
    for (const auto& [name, member_value] : v.GetObject()) {
      const std::string_view key = json::view(name);
      const auto m = std::find_if(members.begin(), members.end(), [&](const auto* x) { return x->name == key; });
      const std::string member_path = path + "." + std::string(key);
      if (m == members.end()) return unexpected(members, member_path);
      if (auto bad = value(model_.types[(*m)->type], member_value, member_path)) return bad;
    }
    for (const auto* m : members) {
      if (!m->optional && !json::find(v, m->name)) return SchemaViolation{path + "." + m->name, "required member missing"};
    }
    return std::nullopt;
  }

  static SchemaViolation unexpected(const std::vector<const SchemaMember*>& members, const std::string& path) {
    std::vector<std::string> names;
    for (const auto* m : members) names.push_back(m->name);
    std::sort(names.begin(), names.end());
    return {path, names.empty() ? "unexpected member (none are taken here)"
                                : "unexpected member (taken here: " + joined(names) + ")"};
  }

  const SchemaModel& model_;
};

}  // namespace

std::optional<SchemaViolation> Schema::validate(std::string_view command, const json::Value& arguments) const {
  const auto c = model_->commands.find(command);
  if (c == model_->commands.end())
    return SchemaViolation{"", "unknown command \"" + std::string(command) + "\" (not in this QEMU's schema)"};
  const json::Value empty(rapidjson::kObjectType);
  return Validator(*model_).value(model_->types[c->second.arguments], arguments.IsNull() ? empty : arguments,
                                  "arguments");
}

}  // namespace qmp
