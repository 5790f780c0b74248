#include "node_users.hpp"

#include "qmp/json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace qmpc {

namespace asio = boost::asio;
namespace json = qmp::json;

namespace {

// True when an entry of the list (or the object under `inner` in it) names `node` as its "node-name".
bool lists_node(const json::Value& list, const char* inner, const std::string& node) {
  if (!list.IsArray()) return false;
  for (const auto& entry : list.GetArray()) {
    const json::Value* holder = inner ? json::find(entry, inner) : &entry;
    if (holder && holder->IsObject() && json::get_string(*holder, "node-name") == node) return true;
  }
  return false;
}

}  // namespace

asio::awaitable<std::optional<bool>> node_in_use(qmp::Session& session, const std::string& node) {
  const auto t = asio::as_tuple(asio::use_awaitable);
  auto [ec, devices] = co_await session.async_execute("query-block", "", t);
  if (ec) co_return std::nullopt;
  if (lists_node(devices.value(), "inserted", node)) co_return true;
  // Exports exist since QEMU 5.2; an older QEMU refuses the command and has none.
  auto [eec, exports] = co_await session.async_execute("query-block-exports", "", t);
  co_return !eec && lists_node(exports.value(), nullptr, node);
}

}  // namespace qmpc
