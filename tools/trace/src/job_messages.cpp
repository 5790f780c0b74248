#include "trace/job_messages.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace trace {
namespace {

namespace json = qmp::json;

struct CommandShape {
  std::string_view name;
  JobVerb verb;
  std::string_view job_member;  // the argument naming the job
};

constexpr std::array kCommands{
    CommandShape{"block-job-complete", JobVerb::complete, "device"},
    CommandShape{"job-complete", JobVerb::complete, "id"},
    CommandShape{"block-job-finalize", JobVerb::finalize, "id"},
    CommandShape{"job-finalize", JobVerb::finalize, "id"},
    CommandShape{"block-job-dismiss", JobVerb::dismiss, "id"},
    CommandShape{"job-dismiss", JobVerb::dismiss, "id"},
    CommandShape{"block-job-cancel", JobVerb::cancel, "device"},
    CommandShape{"job-cancel", JobVerb::cancel, "id"},
    CommandShape{"block-job-pause", JobVerb::pause, "device"},
    CommandShape{"job-pause", JobVerb::pause, "id"},
    CommandShape{"block-job-resume", JobVerb::resume, "device"},
    CommandShape{"job-resume", JobVerb::resume, "id"},
    CommandShape{"block-job-set-speed", JobVerb::set_speed, "device"},
};

constexpr std::array<std::string_view, 8> kCreators{"blockdev-mirror", "drive-mirror",  "blockdev-backup",
                                                    "drive-backup",    "block-stream",  "block-commit",
                                                    "blockdev-create", "snapshot-save"};

std::string str(const json::Value& obj, std::string_view key) {
  return std::string(json::get_string(obj, key).value_or(std::string_view{}));
}

}  // namespace

const char* to_string(JobVerb v) noexcept {
  switch (v) {
    case JobVerb::create: return "create";
    case JobVerb::complete: return "complete";
    case JobVerb::finalize: return "finalize";
    case JobVerb::dismiss: return "dismiss";
    case JobVerb::cancel: return "cancel";
    case JobVerb::pause: return "pause";
    case JobVerb::resume: return "resume";
    case JobVerb::set_speed: return "set-speed";
    case JobVerb::other: return "other";
  }
  return "?";
}

std::optional<JobCommand> job_command_of(const qmp::Message& command) {
  if (command.kind() != qmp::MessageKind::command) return std::nullopt;
  const std::string_view name = command.command_name();
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* args = json::find(command.json(), "arguments");
  if (!args || !args->IsObject()) args = &kEmpty;
  JobCommand c;
  c.command = std::string(name);
  for (const std::string_view creator : kCreators) {
    if (name != creator) continue;
    c.verb = JobVerb::create;
    c.job = str(*args, "job-id");
    if (c.job.empty()) c.job = str(*args, "device");  // QEMU's default job id
    if (c.job.empty()) return std::nullopt;
    c.auto_finalize = json::get_bool(*args, "auto-finalize").value_or(true);
    c.auto_dismiss = json::get_bool(*args, "auto-dismiss").value_or(true);
    return c;
  }
  for (const CommandShape& s : kCommands) {
    if (name != s.name) continue;
    c.verb = s.verb;
    c.job = str(*args, s.job_member);
    if (c.job.empty()) return std::nullopt;
    c.force = json::get_bool(*args, "force").value_or(false);
    return c;
  }
  return std::nullopt;
}

std::vector<JobCommand> jobs_created_by(const qmp::Message& command) {
  std::vector<JobCommand> out;
  if (auto c = job_command_of(command)) {
    if (c->verb == JobVerb::create) out.push_back(std::move(*c));
    return out;
  }
  if (command.kind() != qmp::MessageKind::command || command.command_name() != "transaction") return out;
  const json::Value* args = json::find(command.json(), "arguments");
  const json::Value* actions = args ? json::find(*args, "actions") : nullptr;
  if (!actions || !actions->IsArray()) return out;
  for (const auto& a : actions->GetArray()) {
    const std::string type = a.IsObject() ? str(a, "type") : std::string();
    const json::Value* data = a.IsObject() ? json::find(a, "data") : nullptr;
    if ((type != "drive-backup" && type != "blockdev-backup") || !data || !data->IsObject()) continue;
    JobCommand c;
    c.verb = JobVerb::create;
    c.command = "transaction/" + type;
    c.job = str(*data, "job-id");
    if (c.job.empty()) c.job = str(*data, "device");
    if (c.job.empty()) continue;
    c.auto_finalize = json::get_bool(*data, "auto-finalize").value_or(true);
    c.auto_dismiss = json::get_bool(*data, "auto-dismiss").value_or(true);
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<JobEvent> job_event_of(const qmp::Message& event) {
  if (!event.is_event()) return std::nullopt;
  const std::string_view name = event.event_name();
  const json::Value* data = event.data();
  if (!data || !data->IsObject()) return std::nullopt;
  JobEvent e;
  if (name == "JOB_STATUS_CHANGE") {
    e.job = str(*data, "id");
    e.status = str(*data, "status");
  } else if (name == "BLOCK_JOB_PENDING") {
    e.job = str(*data, "id");
    e.type = str(*data, "type");
  } else if (name == "BLOCK_JOB_READY" || name == "BLOCK_JOB_COMPLETED" || name == "BLOCK_JOB_CANCELLED" ||
             name == "BLOCK_JOB_ERROR") {
    e.job = str(*data, "device");
    e.type = str(*data, "type");
    e.error = str(*data, "error");
    e.offset = json::get_uint(*data, "offset");
    e.len = json::get_uint(*data, "len");
  } else {
    return std::nullopt;
  }
  if (e.job.empty()) return std::nullopt;
  return e;
}

std::vector<JobQueryRow> job_query_rows(const qmp::Message& reply) {
  std::vector<JobQueryRow> rows;
  const json::Value* r = reply.result();
  if (!r || !r->IsArray()) return rows;
  for (const auto& v : r->GetArray()) {
    if (!v.IsObject()) continue;
    JobQueryRow row;
    if (json::find(v, "device")) {  // query-block-jobs
      row.job = str(v, "device");
      row.from_block_jobs = true;
      row.auto_dismiss = json::get_bool(v, "auto-dismiss");
      row.ready = json::get_bool(v, "ready").value_or(false);
      row.offset = json::get_uint(v, "offset");
      row.len = json::get_uint(v, "len");
    } else {  // query-jobs
      row.job = str(v, "id");
      row.offset = json::get_uint(v, "current-progress");
      row.len = json::get_uint(v, "total-progress");
    }
    row.type = str(v, "type");
    row.status = str(v, "status");
    if (row.status == "ready" || row.status == "standby") row.ready = row.ready || !json::find(v, "device");
    if (!row.job.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace trace
