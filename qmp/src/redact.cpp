#include "qmp/redact.hpp"

#include "qmp/json.hpp"

namespace qmp {
namespace {

bool is_secret_key(std::string_view k) { return k == "password" || k == "key-secret"; }

// Redacts in place; returns true when something was replaced.
bool redact_value(json::Value& v, json::Document::AllocatorType& alloc) {
  bool changed = false;
  if (v.IsObject()) {
    // object-add of a secret: {"qom-type":"secret","id":..,"data":"..."} (arguments of the command)
    const auto type = json::get_string(v, "qom-type");
    const bool secret_object = type && *type == "secret";
    for (auto& m : v.GetObject()) {
      const std::string_view k = json::view(m.name);
      if (is_secret_key(k) || (secret_object && k == "data")) {
        m.value.SetString(kRedacted.data(), static_cast<rapidjson::SizeType>(kRedacted.size()), alloc);
        changed = true;
      } else {
        changed |= redact_value(m.value, alloc);
      }
    }
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) changed |= redact_value(e, alloc);
  }
  return changed;
}

}  // namespace

bool may_hold_secret(std::string_view t) noexcept {
  return t.find("\"password\"") != std::string_view::npos || t.find("\"key-secret\"") != std::string_view::npos ||
         t.find("\"secret\"") != std::string_view::npos;
}

std::string redact(std::string_view json_text) {
  if (!may_hold_secret(json_text)) return std::string(json_text);
  json::Document d;
  if (json::parse(d, json_text)) return std::string(json_text);
  if (!redact_value(d, d.GetAllocator())) return std::string(json_text);
  return json::to_string(d);
}

}  // namespace qmp
