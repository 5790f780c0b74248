// Where a QMP monitor listens: "PATH", "unix:PATH" or "tcp:HOST:PORT".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qmp {

struct Address {
  enum class Kind { unix_path, tcp } kind = Kind::unix_path;
  std::string path;  // unix
  std::string host;  // tcp
  std::uint16_t port = 0;

  // Nullopt with `error` filled when the text is not an address (e.g. "tcp:host" without a port).
  static std::optional<Address> parse(std::string_view text, std::string* error = nullptr);
  std::string to_string() const;
};

}  // namespace qmp
