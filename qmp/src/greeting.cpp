#include "qmp/greeting.hpp"

#include <algorithm>

namespace qmp {

bool Greeting::offers(std::string_view capability) const {
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

std::string Greeting::version() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(micro);
}

std::optional<Greeting> Greeting::from_message(const Message& m, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<Greeting> {
    if (error) *error = std::string("not a QMP greeting (") + why + "): " + m.text().substr(0, 120);
    return std::nullopt;
  };
  if (!m.valid() || m.kind() != MessageKind::greeting) return fail("no \"QMP\" member");
  const json::Value* qmp = json::find(m.json(), "QMP");
  if (!qmp || !qmp->IsObject()) return fail("\"QMP\" is not an object");
  Greeting g;
  const json::Value* version = json::find(*qmp, "version");
  if (!version || !version->IsObject()) return fail("no version");
  if (const json::Value* q = json::find(*version, "qemu")) {
    g.major = static_cast<int>(json::get_int(*q, "major").value_or(0));
    g.minor = static_cast<int>(json::get_int(*q, "minor").value_or(0));
    g.micro = static_cast<int>(json::get_int(*q, "micro").value_or(0));
  } else {
    return fail("no version.qemu");
  }
  g.package = std::string(json::get_string(*version, "package").value_or(""));
  const json::Value* caps = json::find(*qmp, "capabilities");
  if (!caps || !caps->IsArray()) return fail("no capabilities array");
  for (const auto& c : caps->GetArray())
    if (c.IsString()) g.capabilities.emplace_back(json::view(c));
  return g;
}

}  // namespace qmp
