#include "mirror/job_snapshot.hpp"

namespace mirror {

namespace json = qmp::json;

std::optional<JobSnapshot> find_job(const json::Value& query_return, JobQuery query, std::string_view job_id) {
  if (!query_return.IsArray()) return std::nullopt;
  // query-jobs names the job "id"; query-block-jobs names it "device" (its job id, for named jobs).
  const std::string_view key = query == JobQuery::query_jobs ? "id" : "device";
  for (const auto& entry : query_return.GetArray()) {
    if (json::get_string(entry, key) != job_id) continue;
    JobSnapshot s;
    s.source = query;
    if (auto st = json::get_string(entry, "status")) s.status = parse_job_status(*st);
    s.ready = json::get_bool(entry, "ready");
    s.paused = json::get_bool(entry, "paused");
    if (auto io = json::get_string(entry, "io-status")) s.io_status = std::string(*io);
    if (query == JobQuery::query_jobs) {
      s.offset = json::get_uint(entry, "current-progress");
      s.len = json::get_uint(entry, "total-progress");
    } else {
      s.offset = json::get_uint(entry, "offset");
      s.len = json::get_uint(entry, "len");
      s.speed = json::get_uint(entry, "speed");
    }
    if (auto e = json::get_string(entry, "error")) s.error = std::string(*e);
    if (auto t = json::get_string(entry, "type")) s.type = std::string(*t);
    s.auto_finalize = json::get_bool(entry, "auto-finalize");
    s.auto_dismiss = json::get_bool(entry, "auto-dismiss");
    return s;
  }
  return std::nullopt;
}

}  // namespace mirror
