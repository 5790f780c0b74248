// The check `qmpc exec` and `qmpc run` make before a command is sent: its arguments against the schema of the
// connected QEMU (qmp::Schema), so that a misspelt member or enum value is refused with its path and nothing
// reaches QEMU.
//
// The schema is asked for (query-qmp-schema) once per connection at most, and only when a command is to be checked;
// it is kept in the schema cache (schema/schema_cache.hpp) by the greeting's version, and taken from there when it
// is. A command a cached schema refuses is checked again on a freshly asked schema (a build of the same version
// may differ), which then replaces the cached one. A QEMU that refuses query-qmp-schema (one older than 2.5, a
// recording replayed without it), or answers it with something that is no schema, is not checked: a note at debug
// level says so. A command the schema does not have is sent all the same: QEMU's CommandNotFound is harmless, and
// its reply is the one `exec --full` prints.
#pragma once

#include "runtime.hpp"
#include "script/step.hpp"

#include "qmp/schema.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace qmpc {

// Why a command was not sent.
struct CommandRefusal {
  // errc::invalid_argument for arguments the schema refuses (exit 2); otherwise why the schema could not be had (a
  // timeout, a lost connection).
  qmp::error_code ec;
  qmp::Diagnostics diag;
  std::string error_class;  // for the step line of `qmpc run`: "ValidationError"; "" otherwise
  std::string hint;         // for the error line
};

class CommandCheck {
 public:
  // `enabled` false (--no-validate): every command passes unchecked.
  CommandCheck(const Runtime& rt, qmp::Session& session, bool enabled) : rt_(rt), session_(session), enabled_(enabled) {}

  // Nullopt when `command` may be sent.
  boost::asio::awaitable<std::optional<CommandRefusal>> check(const script::CommandStep& command);

  // The connected QEMU's schema, loaded as for check() (even with checking off: the shell completes from it);
  // null when QEMU has none to give or could not be asked. Valid as long as this object.
  boost::asio::awaitable<const qmp::Schema*> schema();

 private:
  // Loads schema_ (from the cache, else from QEMU) the first time; a refusal when QEMU could not be asked.
  boost::asio::awaitable<std::optional<CommandRefusal>> load();
  // Asks QEMU; schema_ left as it was when it refuses.
  boost::asio::awaitable<std::optional<CommandRefusal>> fetch();
  std::optional<qmp::SchemaViolation> violation(const script::CommandStep& command) const;

  const Runtime& rt_;
  qmp::Session& session_;
  bool enabled_;
  bool loaded_ = false;   // load() ran
  bool fetched_ = false;  // QEMU was asked on this connection
  bool from_cache_ = false;
  std::optional<qmp::Schema> schema_;
};

}  // namespace qmpc
