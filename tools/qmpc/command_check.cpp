#include "command_check.hpp"

#include "schema/schema_cache.hpp"

#include "qmp/printable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace qmpc {

namespace asio = boost::asio;

namespace {

constexpr const char* kUncheckedHint = "--no-validate sends it unchecked";

std::optional<qmp::Schema> schema_from_text(std::string_view text, std::string* error) {
  qmp::json::Document doc;
  if (auto failure = qmp::json::parse(doc, text)) {
    *error = "not JSON";
    return std::nullopt;
  }
  return qmp::Schema::from_reply(doc, error);
}

}  // namespace

asio::awaitable<std::optional<CommandRefusal>> CommandCheck::check(const script::CommandStep& command) {
  if (!enabled_) co_return std::nullopt;
  if (auto refusal = co_await load()) co_return refusal;
  if (schema_ && !schema_->has_command(command.name)) {
    // QEMU answers CommandNotFound and does nothing else: its reply is what `exec --full` prints, and the
    // transcript shows what it said.
    rt_.logger->debug("{} is not in QEMU's schema; sending it for QEMU to answer", command.name);
    co_return std::nullopt;
  }
  auto found = violation(command);
  if (found && from_cache_ && !fetched_) {
    rt_.logger->debug("the cached schema refuses {}; asking QEMU for its own", command.name);
    if (auto refusal = co_await fetch()) co_return refusal;
    found = violation(command);
  }
  if (!found) co_return std::nullopt;
  CommandRefusal r;
  r.ec = qmp::make_error_code(qmp::errc::invalid_argument);
  r.diag.what = found->text();
  r.error_class = "ValidationError";
  r.hint = std::string("nothing was sent (") + kUncheckedHint + ")";
  co_return r;
}

asio::awaitable<const qmp::Schema*> CommandCheck::schema() {
  co_await load();
  co_return schema_ ? &*schema_ : nullptr;
}

std::optional<qmp::SchemaViolation> CommandCheck::violation(const script::CommandStep& command) const {
  if (!schema_) return std::nullopt;
  qmp::json::Document args;
  if (command.arguments_json.empty() || qmp::json::parse(args, command.arguments_json)) args.SetNull();
  return schema_->validate(command.name, args);
}

asio::awaitable<std::optional<CommandRefusal>> CommandCheck::load() {
  if (loaded_) co_return std::nullopt;
  loaded_ = true;
  const SchemaCache cache(cache_home_from_environment());
  if (auto text = cache.load(session_.greeting())) {
    std::string error;
    schema_ = schema_from_text(*text, &error);
    if (schema_) {
      from_cache_ = true;
      co_return std::nullopt;
    }
    rt_.logger->debug("ignoring the cached schema in {}: {}", cache.dir(), error);
  }
  co_return co_await fetch();
}

asio::awaitable<std::optional<CommandRefusal>> CommandCheck::fetch() {
  fetched_ = true;
  auto [ec, reply] = co_await session_.async_execute("query-qmp-schema", "", asio::as_tuple(asio::use_awaitable));
  if (qmp::kind_of(ec) == qmp::error_kind::qmp) {
    rt_.logger->debug("arguments are not checked: QEMU refused query-qmp-schema ({})", reply.diagnostics.describe(ec));
    co_return std::nullopt;
  }
  if (ec) {
    CommandRefusal r;
    r.ec = ec;
    r.diag.what = "cannot check the arguments: query-qmp-schema: " + reply.diagnostics.describe(ec);
    co_return r;
  }
  std::string error;
  auto schema = qmp::Schema::from_reply(reply.value(), &error);
  if (!schema) {
    rt_.logger->debug("arguments are not checked: the reply of query-qmp-schema is no schema ({})", error);
    co_return std::nullopt;
  }
  schema_ = std::move(schema);
  from_cache_ = false;
  const SchemaCache cache(cache_home_from_environment());
  if (!cache.store(session_.greeting(), qmp::json::to_string(reply.value()), &error))
    rt_.logger->debug("the schema is not cached: {}", error);
  co_return std::nullopt;
}

}  // namespace qmpc
