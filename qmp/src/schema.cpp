// qmp::Schema's questions about commands and completion: names, members at a path, enum values.
#include "qmp/schema.hpp"

#include "detail/array_index.hpp"
#include "detail/schema_model.hpp"

#include <algorithm>

namespace qmp {

namespace detail {

const SchemaType* selected_variant(const SchemaModel& model, const SchemaType& t, const json::Value* value) {
  if (t.tag.empty() || !value) return nullptr;
  const auto tag = json::get_string(*value, t.tag);
  if (!tag) return nullptr;
  for (const auto& v : t.variants) {
    if (v.value == *tag) return &model.types[v.type];
  }
  return nullptr;
}

void effective_members(const SchemaModel& model, const SchemaType& t, const json::Value* value,
                       std::vector<const SchemaMember*>& out) {
  for (const auto& m : t.members) out.push_back(&m);
  if (const SchemaType* variant = selected_variant(model, t, value)) effective_members(model, *variant, value, out);
}

bool json_type_fits(const SchemaModel& model, const SchemaType& t, const json::Value& v) {
  switch (t.kind) {
    case SchemaKind::enumeration: return v.IsString();
    case SchemaKind::array: return v.IsArray();
    case SchemaKind::object: return v.IsObject();
    case SchemaKind::alternate: return alternate_branch(model, t, v) != nullptr;
    case SchemaKind::builtin: break;
  }
  switch (t.json) {
    case JsonKind::string: return v.IsString();
    case JsonKind::integer: return v.IsInt64() || v.IsUint64();
    case JsonKind::number: return v.IsNumber();
    case JsonKind::boolean: return v.IsBool();
    case JsonKind::null: return v.IsNull();
    case JsonKind::any: return true;
  }
  return false;
}

const SchemaType* alternate_branch(const SchemaModel& model, const SchemaType& t, const json::Value& v) {
  for (std::size_t b : t.branches) {
    const SchemaType& branch = model.types[b];
    if (branch.kind != SchemaKind::alternate && json_type_fits(model, branch, v)) return &branch;
  }
  return nullptr;
}

}  // namespace detail

namespace {

using detail::SchemaKind;
using detail::SchemaModel;
using detail::SchemaType;

// One step of a completion path: a member name, or an array index.
struct PathStep {
  std::string name;
  std::optional<std::size_t> index;
};

// "target.file", "actions[0].data", "actions.0.data"; nullopt for an empty segment or a bad index.
std::optional<std::vector<PathStep>> parse_path(std::string_view path) {
  std::vector<PathStep> steps;
  if (path.empty()) return steps;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    std::string_view segment = path.substr(start, dot == std::string_view::npos ? path.npos : dot - start);
    const auto bracket = segment.find('[');
    const std::string_view name = segment.substr(0, bracket);
    if (const auto i = detail::array_index(name)) {
      steps.push_back({{}, i});
    } else if (!name.empty()) {
      steps.push_back({std::string(name), std::nullopt});
    } else if (bracket != 0) {
      return std::nullopt;
    }
    for (auto rest = bracket == std::string_view::npos ? std::string_view() : segment.substr(bracket); !rest.empty();) {
      const auto close = rest.find(']');
      if (rest.front() != '[' || close == std::string_view::npos) return std::nullopt;
      const auto i = detail::array_index(rest.substr(1, close - 1));
      if (!i) return std::nullopt;
      steps.push_back({{}, i});
      rest.remove_prefix(close + 1);
    }
    if (dot == std::string_view::npos) return steps;
    start = dot + 1;
  }
}

// Where a path leads: the type there and, when `arguments` reaches that far, the value there.
struct Spot {
  const SchemaType* type = nullptr;
  const json::Value* value = nullptr;
};

// An alternate stands for the branch its value selects, else for its branch of kind `wanted`.
Spot through_alternate(const SchemaModel& model, Spot s, SchemaKind wanted) {
  if (s.type->kind != SchemaKind::alternate) return s;
  if (s.value) {
    if (const SchemaType* b = detail::alternate_branch(model, *s.type, *s.value)) return {b, s.value};
  }
  for (std::size_t b : s.type->branches) {
    if (model.types[b].kind == wanted) return {&model.types[b], nullptr};
  }
  return s;
}

std::optional<Spot> locate(const SchemaModel& model, std::string_view command, std::string_view path,
                           const json::Value* arguments) {
  const auto c = model.commands.find(command);
  if (c == model.commands.end()) return std::nullopt;
  const auto steps = parse_path(path);
  if (!steps) return std::nullopt;
  Spot s{&model.types[c->second.arguments], arguments && arguments->IsObject() ? arguments : nullptr};
  for (const PathStep& step : *steps) {
    if (step.index) {
      s = through_alternate(model, s, SchemaKind::array);
      if (s.type->kind != SchemaKind::array) return std::nullopt;
      const bool has = s.value && s.value->IsArray() && *step.index < s.value->Size();
      s = {&model.types[s.type->element], has ? &(*s.value)[static_cast<rapidjson::SizeType>(*step.index)] : nullptr};
      continue;
    }
    s = through_alternate(model, s, SchemaKind::object);
    if (s.type->kind == SchemaKind::array) s = through_alternate(model, {&model.types[s.type->element], nullptr},
                                                                 SchemaKind::object);
    if (s.type->kind != SchemaKind::object) return std::nullopt;
    std::vector<const detail::SchemaMember*> members;
    detail::effective_members(model, *s.type, s.value, members);
    const auto m = std::find_if(members.begin(), members.end(), [&](const auto* x) { return x->name == step.name; });
    if (m == members.end()) return std::nullopt;
    s = {&model.types[(*m)->type], s.value ? json::find(*s.value, step.name) : nullptr};
  }
  return s;
}

// The values of an enum or boolean type; an alternate's or an array's from its branches or elements.
void values_of(const SchemaModel& model, const SchemaType& t, std::vector<std::string>& out) {
  switch (t.kind) {
    case SchemaKind::enumeration: out.insert(out.end(), t.values.begin(), t.values.end()); return;
    case SchemaKind::array: values_of(model, model.types[t.element], out); return;
    case SchemaKind::alternate:
      for (std::size_t b : t.branches) values_of(model, model.types[b], out);
      return;
    case SchemaKind::object: return;
    case SchemaKind::builtin:
      if (t.json == detail::JsonKind::boolean) out.insert(out.end(), {"true", "false"});
      return;
  }
}

}  // namespace

std::string SchemaViolation::text() const { return path.empty() ? message : path + ": " + message; }

std::vector<std::string> Schema::command_names() const {
  std::vector<std::string> names;
  names.reserve(model_->commands.size());
  for (const auto& [name, command] : model_->commands) names.push_back(name);
  return names;  // a std::map: already sorted
}

std::vector<std::string> Schema::event_names() const { return model_->events; }

bool Schema::has_command(std::string_view command) const { return model_->commands.contains(command); }

bool Schema::allows_oob(std::string_view command) const {
  const auto c = model_->commands.find(command);
  return c != model_->commands.end() && c->second.allow_oob;
}

std::vector<std::string> Schema::member_names(std::string_view command, std::string_view path,
                                              const json::Value* arguments) const {
  auto spot = locate(*model_, command, path, arguments);
  if (!spot) return {};
  if (spot->type->kind == SchemaKind::array) spot = Spot{&model_->types[spot->type->element], nullptr};
  spot = through_alternate(*model_, *spot, SchemaKind::object);
  if (spot->type->kind != SchemaKind::object) return {};
  std::vector<const detail::SchemaMember*> members;
  detail::effective_members(*model_, *spot->type, spot->value, members);
  std::vector<std::string> names;
  for (const auto* m : members) names.push_back(m->name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Schema::enum_values(std::string_view command, std::string_view path,
                                             const json::Value* arguments) const {
  const auto spot = locate(*model_, command, path, arguments);
  std::vector<std::string> values;
  if (spot) values_of(*model_, *spot->type, values);
  return values;
}

}  // namespace qmp
