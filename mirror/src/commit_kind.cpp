#include "mirror/commit_kind.hpp"

namespace mirror {

namespace json = qmp::json;

std::optional<JobKind> commit_kind_from_block_graph(const json::Value& graph, std::string_view job_id) {
  const json::Value* nodes = json::find(graph, "nodes");
  const json::Value* edges = json::find(graph, "edges");
  if (!nodes || !nodes->IsArray() || !edges || !edges->IsArray()) return std::nullopt;
  std::optional<std::uint64_t> job;
  for (const auto& n : nodes->GetArray())
    if (json::get_string(n, "type") == "block-job" && json::get_string(n, "name") == job_id)
      job = json::get_uint(n, "id");
  if (!job) return std::nullopt;
  bool target = false, base = false;
  for (const auto& e : edges->GetArray()) {
    if (json::get_uint(e, "parent") != job) continue;
    const auto name = json::get_string(e, "name");
    target = target || name == "target";
    base = base || name == "base";
  }
  if (target) return JobKind::active_commit;
  if (base) return JobKind::commit;
  return std::nullopt;
}

}  // namespace mirror
