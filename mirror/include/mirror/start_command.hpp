// Builds the start command of each job kind: drive-mirror / blockdev-mirror from JobOptions, block-commit,
// block-stream, blockdev-backup / drive-backup from their own options. No I/O.
#pragma once

#include "mirror/job_kind.hpp"
#include "mirror/job_options.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace mirror {

// An image of a backing chain, by node name or by file name (block-commit's top-node / top, ...).
struct ImageRef {
  std::string name;
  bool node = false;  // a node name; otherwise a file name as the chain records it

  // A name with a '/' is a file, anything else a node name.
  static ImageRef guess(std::string text);
};

struct CommonJobOptions {
  std::string device;  // the drive or the root node of the chain
  std::string job_id;
  std::optional<std::uint64_t> speed;
  bool auto_finalize = true;
  bool auto_dismiss = true;
};

// block-commit: merges `top` (and everything between it and `base`) into `base`.
struct CommitOptions : CommonJobOptions {
  std::optional<ImageRef> top;   // unset: the active layer
  std::optional<ImageRef> base;  // unset: the bottom of the chain
  bool active = false;           // the top is the active layer (implied when `top` is unset): a ready phase
  std::optional<std::string> backing_file;
  std::optional<std::string> on_error;  // "report", "ignore", "enospc", "stop", "auto"
};

// block-stream: copies the data of the backing chain down to `base` (unset: all of it) into the top image.
struct StreamOptions : CommonJobOptions {
  std::optional<ImageRef> base;
  std::optional<std::string> backing_file;
  std::optional<std::string> on_error;
};

// blockdev-backup (a node target) or drive-backup (a file QEMU creates; deprecated in QEMU 7.2).
struct BackupOptions : CommonJobOptions {
  std::string target;          // a node name, or a file name with target_is_file
  bool target_is_file = false;
  std::string format;          // drive-backup only (e.g. "qcow2"); empty: QEMU's default
  std::string sync = "full";   // "full", "top", "none", "incremental", "bitmap"
  std::optional<std::string> bitmap;
  std::optional<std::string> on_source_error;
  std::optional<std::string> on_target_error;
};

// Nullopt with `error` filled when the options cannot be expressed (e.g. unmap with blockdev-mirror, an empty
// device, an unknown error action, an incremental backup without a bitmap).
std::optional<StartCommand> build_start_command(const JobOptions& o, std::string* error = nullptr);
std::optional<StartCommand> build_commit_command(const CommitOptions& o, std::string* error = nullptr);
std::optional<StartCommand> build_stream_command(const StreamOptions& o, std::string* error = nullptr);
std::optional<StartCommand> build_backup_command(const BackupOptions& o, std::string* error = nullptr);

}  // namespace mirror
