// The QMP greeting: {"QMP": {"version": {"qemu": {"major":7,"minor":2,"micro":22}, "package": "..."},
// "capabilities": ["oob"]}}
#pragma once

#include "qmp/message.hpp"

#include <optional>
#include <string>
#include <vector>

namespace qmp {

struct Greeting {
  int major = 0;
  int minor = 0;
  int micro = 0;
  std::string package;
  std::vector<std::string> capabilities;

  bool offers(std::string_view capability) const;
  std::string version() const;  // "7.2.22"

  // Nullopt with `error` filled when `m` is not a well-formed greeting.
  static std::optional<Greeting> from_message(const Message& m, std::string* error = nullptr);
};

}  // namespace qmp
