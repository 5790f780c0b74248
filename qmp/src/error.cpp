#include "qmp/error.hpp"

#include <boost/asio/error.hpp>

namespace qmp {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "qmpc.qmp"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "success";
      case errc::connect_failed: return "cannot connect to the QMP monitor";
      case errc::connection_lost: return "connection to the QMP monitor lost";
      case errc::session_closed: return "QMP session closed";
      case errc::not_a_greeting: return "the monitor did not send a QMP greeting";
      case errc::malformed_json: return "malformed JSON from the monitor";
      case errc::message_too_large: return "message from the monitor exceeds the maximum size";
      case errc::protocol_error: return "QMP protocol error";
      case errc::capabilities_failed: return "QMP capabilities negotiation failed";
      case errc::oob_not_available: return "out-of-band execution was not negotiated";
      case errc::fd_passing_unsupported: return "file descriptors can only be passed over a UNIX socket";
      case errc::timeout: return "deadline passed";
      case errc::generic_error: return "QMP command failed (GenericError)";
      case errc::command_not_found: return "QMP command not found (CommandNotFound)";
      case errc::device_not_active: return "QMP command failed (DeviceNotActive)";
      case errc::device_not_found: return "QMP command failed (DeviceNotFound)";
      case errc::kvm_missing_cap: return "QMP command failed (KVMMissingCap)";
      case errc::unknown_error_class: return "QMP command failed";
      case errc::subscription_overflow: return "event subscription overflowed";
      case errc::subscription_closed: return "event subscription closed";
      case errc::process_exited: return "QEMU exited";
      case errc::spawn_failed: return "cannot start QEMU";
      case errc::invalid_argument: return "invalid argument";
    }
    return "unknown qmpc error";
  }
};

}  // namespace

const boost::system::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

error_kind kind_of(const error_code& ec) noexcept {
  if (!ec) return error_kind::none;
  if (ec == boost::asio::error::operation_aborted) return error_kind::cancelled;
  if (ec.category() != category()) return error_kind::other;
  const int v = ec.value();
  if (v < 20) return error_kind::transport;
  if (v < 40) return error_kind::protocol;
  if (v < 60) return error_kind::timeout;
  if (v < 80) return error_kind::qmp;
  if (v < 100) return error_kind::subscription;
  if (v < 120) return error_kind::process;
  return error_kind::usage;
}

const char* to_string(error_kind k) noexcept {
  switch (k) {
    case error_kind::none: return "none";
    case error_kind::transport: return "transport";
    case error_kind::protocol: return "protocol";
    case error_kind::timeout: return "timeout";
    case error_kind::qmp: return "qmp";
    case error_kind::cancelled: return "cancelled";
    case error_kind::subscription: return "subscription";
    case error_kind::process: return "process";
    case error_kind::usage: return "usage";
    case error_kind::other: return "other";
  }
  return "other";
}

errc errc_from_class(std::string_view c) noexcept {
  if (c == "GenericError") return errc::generic_error;
  if (c == "CommandNotFound") return errc::command_not_found;
  if (c == "DeviceNotActive") return errc::device_not_active;
  if (c == "DeviceNotFound") return errc::device_not_found;
  if (c == "KVMMissingCap") return errc::kvm_missing_cap;
  return errc::unknown_error_class;
}

std::string Diagnostics::describe(const error_code& ec) const {
  if (from_qemu()) return what.empty() ? qmp_class + ": " + qmp_desc : what + ": " + qmp_class + ": " + qmp_desc;
  if (!what.empty()) return what;
  return ec.message();
}

}  // namespace qmp
