#include "secret_check.hpp"

#include <qmp/json.hpp>
#include <qmp/redact.hpp>

#include <vector>

namespace qmpc_fuzz {
namespace {

using qmp::json::Value;
using qmp::json::view;

bool redacted(const Value& v) { return v.IsString() && view(v) == qmp::kRedacted; }

bool secret_object(const Value& obj) {
  for (const auto& m : obj.GetObject())
    if (view(m.name) == "qom-type" && m.value.IsString() && view(m.value) == "secret") return true;
  return false;
}

}  // namespace

std::string secret_in_clear(std::string_view text) {
  qmp::json::Document d;
  // Iterative parse and walk: this reading must not fail on input the code under test handles.
  d.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (d.HasParseError()) return {};
  std::vector<const Value*> todo{&d};
  while (!todo.empty()) {
    const Value& v = *todo.back();
    todo.pop_back();
    if (v.IsObject()) {
      const bool secret = secret_object(v);
      for (const auto& m : v.GetObject()) {
        const std::string_view k = view(m.name);
        if ((k == "password" || k == "key-secret" || (secret && k == "data")) && !redacted(m.value))
          return "member \"" + std::string(k) + "\" left in clear";
        todo.push_back(&m.value);
      }
    } else if (v.IsArray()) {
      for (const auto& e : v.GetArray()) todo.push_back(&e);
    }
  }
  return {};
}

}  // namespace qmpc_fuzz
