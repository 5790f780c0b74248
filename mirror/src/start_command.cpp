#include "mirror/start_command.hpp"

#include <qmp/json.hpp>

#include <initializer_list>
#include <string_view>

namespace mirror {

const char* to_string(SyncMode s) noexcept {
  switch (s) {
    case SyncMode::full: return "full";
    case SyncMode::top: return "top";
    case SyncMode::none: return "none";
  }
  return "full";
}

namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (v == a) return true;
  return false;
}

std::optional<StartCommand> fail(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return std::nullopt;
}

}  // namespace

std::optional<StartCommand> build_start_command(const MirrorOptions& o, std::string* error) {
  if (o.device.empty()) return fail(error, "the source device is empty");
  if (o.job_id.empty()) return fail(error, "the job id is empty");
  for (const auto* action : {&o.on_source_error, &o.on_target_error})
    if (*action && !one_of(**action, {"report", "ignore", "enospc", "stop", "auto"}))
      return fail(error, "unknown error action '" + **action + "' (report, ignore, enospc, stop, auto)");
  if (o.copy_mode && !one_of(*o.copy_mode, {"background", "write-blocking"}))
    return fail(error, "unknown copy mode '" + *o.copy_mode + "' (background, write-blocking)");

  qmp::json::Object a;
  a.add("job-id", o.job_id).add("device", o.device);
  StartCommand c;
  if (const auto* d = std::get_if<DriveTarget>(&o.target)) {
    if (d->path.empty()) return fail(error, "the target path is empty");
    c.name = "drive-mirror";
    a.add("target", d->path);
    if (!d->format.empty()) a.add("format", d->format);
    a.add("mode", d->mode == DriveTarget::Mode::existing ? "existing" : "absolute-paths");
  } else {
    const auto& b = std::get<BlockdevTarget>(o.target);
    if (b.node.empty()) return fail(error, "the target node is empty");
    if (o.unmap) return fail(error, "unmap is a drive-mirror option; blockdev-mirror does not take it");
    c.name = "blockdev-mirror";
    a.add("target", b.node);
  }
  a.add("sync", to_string(o.sync));
  if (o.speed) a.add("speed", *o.speed);
  if (o.granularity) a.add("granularity", *o.granularity);
  if (o.buf_size) a.add("buf-size", *o.buf_size);
  if (o.on_source_error) a.add("on-source-error", *o.on_source_error);
  if (o.on_target_error) a.add("on-target-error", *o.on_target_error);
  if (o.copy_mode) a.add("copy-mode", *o.copy_mode);
  if (o.unmap) a.add("unmap", *o.unmap);
  if (!o.auto_finalize) a.add("auto-finalize", false);
  if (!o.auto_dismiss) a.add("auto-dismiss", false);
  c.arguments = a.str();
  return c;
}

}  // namespace mirror
