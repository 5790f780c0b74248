#include "qmp/redact.hpp"

#include "detail/redact_text.hpp"
#include "qmp/json.hpp"

#include <array>

namespace qmp {
namespace {

// Members whose value is a secret (or names the object holding one) wherever they are.
bool is_secret_key(std::string_view k) {
  return k == "password" || k == "key-secret" || k == "password-secret" || k == "proxy-password-secret";
}

// Block drivers whose options carry credentials in a "key" member.
bool has_credential_driver(const json::Value& obj) {
  static constexpr std::array<std::string_view, 6> drivers{"rbd", "ssh", "http", "https", "ftp", "ftps"};
  const auto driver = json::get_string(obj, "driver");
  if (!driver) return false;
  for (const auto d : drivers) {
    if (*driver == d) return true;
  }
  return false;
}

// qom-set of a secret's "data" or any "password" property: {"path":..,"property":"data","value":..}.
bool is_secret_property(const json::Value& obj) {
  const auto property = json::get_string(obj, "property");
  return property && (*property == "data" || *property == "password") && json::find(obj, "value");
}

void set_redacted(json::Value& v, json::Document::AllocatorType& alloc) {
  v.SetString(kRedacted.data(), static_cast<rapidjson::SizeType>(kRedacted.size()), alloc);
}

bool redact_string(json::Value& v, json::Document::AllocatorType& alloc) {
  std::string s(json::view(v));
  if (!detail::redact_text(s)) return false;
  v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  return true;
}

// Redacts in place; returns true when something was replaced.
bool redact_value(json::Value& v, json::Document::AllocatorType& alloc) {
  bool changed = false;
  if (v.IsObject()) {
    // object-add of a secret: {"qom-type":"secret","id":..,"data":"..."}, or "props":{"data":..} (newer form).
    const auto type = json::get_string(v, "qom-type");
    const bool secret_object = type && *type == "secret";
    const bool credentials = has_credential_driver(v);
    const bool secret_property = is_secret_property(v);
    for (auto& m : v.GetObject()) {
      const std::string_view k = json::view(m.name);
      if (is_secret_key(k) || (secret_object && k == "data") || (credentials && k == "key") ||
          (secret_property && k == "value")) {
        set_redacted(m.value, alloc);
        changed = true;
      } else if (secret_object && k == "props" && m.value.IsObject() && json::find(m.value, "data")) {
        set_redacted(m.value.FindMember("data")->value, alloc);
        changed = true;
        changed |= redact_value(m.value, alloc);
      } else {
        changed |= redact_value(m.value, alloc);
      }
    }
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) changed |= redact_value(e, alloc);
  } else if (v.IsString()) {
    changed = redact_string(v, alloc);
  }
  return changed;
}

}  // namespace

bool may_hold_secret(std::string_view t) noexcept {
  // Everything redact_value() acts on needs one of these words (or a \u escape that could spell one).
  return detail::text_may_hold_secret(t) || t.find("qom-set") != std::string_view::npos ||
         t.find("\"key\"") != std::string_view::npos || t.find("\\u") != std::string_view::npos;
}

std::string redact(std::string_view json_text) {
  if (!may_hold_secret(json_text)) return std::string(json_text);
  json::Document d;
  if (json::parse(d, json_text)) return std::string(json_text);
  if (!redact_value(d, d.GetAllocator())) return std::string(json_text);
  return json::to_string(d);
}

}  // namespace qmp
