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

template <typename T = StartCommand>
std::optional<T> fail(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return std::nullopt;
}

bool valid_error_action(const std::optional<std::string>& action) {
  return !action || one_of(*action, {"report", "ignore", "enospc", "stop", "auto"});
}

const char* kErrorActions = "(report, ignore, enospc, stop, auto)";

// job-id, device and the options every kind shares; nullopt with `error` filled when they are not valid.
std::optional<qmp::json::Object> common_arguments(const CommonJobOptions& o, std::string* error) {
  if (o.device.empty()) return fail<qmp::json::Object>(error, "the device is empty");
  if (o.job_id.empty()) return fail<qmp::json::Object>(error, "the job id is empty");
  qmp::json::Object a;
  a.add("job-id", o.job_id).add("device", o.device);
  return a;
}

void add_tail(qmp::json::Object& a, const CommonJobOptions& o) {
  if (o.speed) a.add("speed", *o.speed);
  if (!o.auto_finalize) a.add("auto-finalize", false);
  if (!o.auto_dismiss) a.add("auto-dismiss", false);
}

void add_image(qmp::json::Object& a, const char* key, const std::optional<ImageRef>& image) {
  if (!image) return;
  a.add(image->node ? std::string(key) + "-node" : std::string(key), image->name);
}

}  // namespace

ImageRef ImageRef::guess(std::string text) {
  const bool file = text.find('/') != std::string::npos;
  return ImageRef{std::move(text), !file};
}

std::optional<StartCommand> build_commit_command(const CommitOptions& o, std::string* error) {
  auto a = common_arguments(o, error);
  if (!a) return std::nullopt;
  if (o.top && o.top->name.empty()) return fail(error, "the top image is empty");
  if (o.base && o.base->name.empty()) return fail(error, "the base image is empty");
  if (!valid_error_action(o.on_error)) return fail(error, "unknown error action '" + *o.on_error + "' " + kErrorActions);
  add_image(*a, "top", o.top);
  add_image(*a, "base", o.base);
  if (o.backing_file) a->add("backing-file", *o.backing_file);
  if (o.on_error) a->add("on-error", *o.on_error);
  add_tail(*a, o);
  return StartCommand{"block-commit", a->str(), o.active || !o.top ? JobKind::active_commit : JobKind::commit};
}

std::optional<StartCommand> build_stream_command(const StreamOptions& o, std::string* error) {
  auto a = common_arguments(o, error);
  if (!a) return std::nullopt;
  if (o.base && o.base->name.empty()) return fail(error, "the base image is empty");
  if (!valid_error_action(o.on_error)) return fail(error, "unknown error action '" + *o.on_error + "' " + kErrorActions);
  add_image(*a, "base", o.base);
  if (o.backing_file) a->add("backing-file", *o.backing_file);
  if (o.on_error) a->add("on-error", *o.on_error);
  add_tail(*a, o);
  return StartCommand{"block-stream", a->str(), JobKind::stream};
}

std::optional<StartCommand> build_backup_command(const BackupOptions& o, std::string* error) {
  auto a = common_arguments(o, error);
  if (!a) return std::nullopt;
  if (o.target.empty()) return fail(error, "the backup target is empty");
  if (!one_of(o.sync, {"full", "top", "none", "incremental", "bitmap"}))
    return fail(error, "unknown sync mode '" + o.sync + "' (full, top, none, incremental, bitmap)");
  if ((o.sync == "incremental" || o.sync == "bitmap") && (!o.bitmap || o.bitmap->empty()))
    return fail(error, "sync mode '" + o.sync + "' needs a bitmap");
  if (!o.target_is_file && !o.format.empty())
    return fail(error, "a format is for a file target (drive-backup); a node target has its own");
  for (const auto* action : {&o.on_source_error, &o.on_target_error})
    if (!valid_error_action(*action)) return fail(error, "unknown error action '" + **action + "' " + kErrorActions);
  a->add("target", o.target).add("sync", o.sync);
  if (o.target_is_file && !o.format.empty()) a->add("format", o.format);
  if (o.bitmap) a->add("bitmap", *o.bitmap);
  if (o.on_source_error) a->add("on-source-error", *o.on_source_error);
  if (o.on_target_error) a->add("on-target-error", *o.on_target_error);
  add_tail(*a, o);
  return StartCommand{o.target_is_file ? "drive-backup" : "blockdev-backup", a->str(), JobKind::backup};
}

std::optional<StartCommand> build_start_command(const JobOptions& o, std::string* error) {
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
  c.kind = JobKind::mirror;
  return c;
}

}  // namespace mirror
