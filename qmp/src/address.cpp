#include "qmp/address.hpp"

#include <charconv>

namespace qmp {

std::optional<Address> Address::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Address> {
    if (error) {
      // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) about the chained operator+ form.
      error->assign(1, '\'');
      error->append(text).append("' is not a QMP address: ").append(why);
    }
    return std::nullopt;
  };
  Address a;
  if (text.rfind("tcp:", 0) == 0) {
    const std::string_view rest = text.substr(4);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return fail("expected tcp:HOST:PORT");
    std::string_view host = rest.substr(0, colon);
    const std::string_view port = rest.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) return fail("the host is empty (expected tcp:HOST:PORT)");
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535)
      return fail("the port '" + std::string(port) + "' is not a number from 1 to 65535");
    a.kind = Kind::tcp;
    a.host = std::string(host);
    a.port = static_cast<std::uint16_t>(value);
    return a;
  }
  std::string_view path = text;
  if (text.rfind("unix:", 0) == 0) path = text.substr(5);
  if (path.empty()) return fail("the socket path is empty");
  a.kind = Kind::unix_path;
  a.path = std::string(path);
  return a;
}

std::string Address::to_string() const {
  if (kind == Kind::tcp) {
    const bool v6 = host.find(':') != std::string::npos;
    return "tcp:" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
  return "unix:" + path;
}

}  // namespace qmp
