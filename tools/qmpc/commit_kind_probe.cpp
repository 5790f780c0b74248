#include "commit_kind_probe.hpp"

#include "mirror/commit_kind.hpp"

#include "qmp/json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace qmpc {

namespace asio = boost::asio;
namespace json = qmp::json;

asio::awaitable<std::optional<mirror::JobKind>> attached_commit_kind(qmp::Session& session, const std::string& job_id) {
  const auto t = asio::as_tuple(asio::use_awaitable);
  auto [ec, graph] = co_await session.async_execute("x-debug-query-block-graph", "", t);
  if (!ec)
    if (auto kind = mirror::commit_kind_from_block_graph(graph.value(), job_id)) co_return kind;
  // Only a job with a ready phase is ever ready (or standby, which only ready leads to).
  auto [jec, jobs] = co_await session.async_execute("query-block-jobs", "", t);
  if (!jec && jobs.value().IsArray())
    for (const auto& j : jobs.value().GetArray())
      if (json::get_string(j, "device") == job_id && json::get_bool(j, "ready").value_or(false))
        co_return mirror::JobKind::active_commit;
  co_return std::nullopt;
}

}  // namespace qmpc
