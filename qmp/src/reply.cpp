#include "qmp/reply.hpp"

#include <string>

namespace qmp {

const json::Value& Reply::value() const noexcept {
  static const json::Value null;
  const json::Value* v = message.result();
  return v ? *v : null;
}

std::pair<error_code, Reply> reply_from_message(Message m) {
  std::pair<error_code, Reply> out;
  auto& [ec, r] = out;
  if (m.valid() && m.kind() == MessageKind::error_reply) {
    r.diagnostics.qmp_class = std::string(m.error_class());
    r.diagnostics.qmp_desc = std::string(m.error_desc());
    ec = make_error_code(errc_from_class(r.diagnostics.qmp_class));
  }
  r.message = std::move(m);
  return out;
}

}  // namespace qmp
