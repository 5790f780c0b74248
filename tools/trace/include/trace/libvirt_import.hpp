// Turns a libvirt debug log into transcripts, one per QEMU monitor (mon=0x..) found in it.
//
// The same message shows up in several kinds of log entry; each message is taken once, from one kind per
// direction, chosen per monitor:
//   to QEMU:   QEMU_MONITOR_IO_WRITE (written by the monitor's I/O thread, so in true order with what it reads);
//              QEMU_MONITOR_SEND_MSG when the log has no IO_WRITE for that monitor.
//   from QEMU: QEMU_MONITOR_RECV_REPLY / _RECV_EVENT, plus the greeting from "Line [..]" (logged nowhere else);
//              else QEMU_MONITOR_IO_PROCESS (older libvirt: raw reads, several messages or part of one per entry);
//              else "Line [..]" alone.
// "Line [..]" entries carry no mon=: each is tied to the monitor named by the next entry of the same thread.
// Times are the log's wall-clock times (millisecond resolution); t_us counts from the monitor's first message.
// Secrets are redacted (qmp::redact). No I/O except in import_libvirt_log_file.
#pragma once

#include "qmp/error.hpp"
#include "qmp/transcript.hpp"
#include "trace/libvirt_log.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trace {

struct LibvirtImportOptions {
  std::string monitor;  // import only this monitor ("0x7fa1f0006740"); empty: all of them
  std::string origin;   // recorded in each header (e.g. the log's file name)
  // The longest line, and log entry (a line and the lines continuing it), accepted: a longer one fails the import
  // (transcript_errc::line_too_long). A message that grows beyond it, assembled from several entries, is skipped
  // with a warning.
  std::size_t max_line_bytes = qmp::kDefaultMaxLineBytes;
};

struct ImportedMonitor {
  std::string monitor;
  // 1, 2, ...: the connection on this monitor address. A greeting after other messages starts a new one (a VM
  // restarted whose monitor got the same address, a reconnect); each connection is a transcript of its own.
  std::size_t connection = 1;
  qmp::Transcript transcript;
  // Entries of each LibvirtLineKind seen for this monitor (index: the kind's value; process_line by thread).
  std::array<std::size_t, 7> lines{};
  LibvirtLineKind to_qemu_source = LibvirtLineKind::io_write;
  LibvirtLineKind from_qemu_source = LibvirtLineKind::recv_reply;
  std::vector<std::string> warnings;  // e.g. a message left incomplete at the end of the log

  std::size_t count(LibvirtLineKind k) const noexcept { return lines[static_cast<std::size_t>(k)]; }
};

// Transcripts in order of the monitors' first appearance, then of connection.
// Fails (transcript_errc::bad_log) when the log holds no QMP traffic, or not for the selected monitor, or as
// LibvirtLogParser::feed_line does. The file is read a chunk at a time; its errors name it ("x.log: line 7: ...").
std::optional<std::vector<ImportedMonitor>> import_libvirt_log(std::string_view log_text,
                                                               const LibvirtImportOptions& options,
                                                               qmp::error_code& ec, qmp::Diagnostics& diag);
std::optional<std::vector<ImportedMonitor>> import_libvirt_log_file(const std::string& path,
                                                                    const LibvirtImportOptions& options,
                                                                    qmp::error_code& ec, qmp::Diagnostics& diag);

}  // namespace trace
