// The server side of a transcript, played back to a client: the decisions of `qmpc trace replay`, without I/O.
//
//   on_connect()          -> the greeting and whatever QEMU sent before the first command
//   on_client_line(line)  -> for a command matching the next recorded one (its name and its arguments, in
//                            order; see trace/json_difference.hpp for how arguments compare): what QEMU sent
//                            after it, up to the next recorded command: its reply with the id rewritten to the
//                            client's, and the events in their recorded order relative to replies
// A command that does not match is answered with a QMP GenericError naming what was expected, recorded as a
// divergence, and the replay stops matching (every later command gets the same kind of error).
// Input that is no JSON object is answered with an error, as QEMU does, and otherwise ignored; but input nested
// deeper than json::kMaxDepth is also a divergence (no recording can hold it).
// query-qmp-schema is optional both ways (a client with a cached schema does not ask for it): one the recording
// lacks at that point is answered with a GenericError, no divergence; a recorded one the client skips is skipped
// with its reply (what QEMU sent meanwhile is still played). Both are counted in the report.
// A recording without a greeting (a libvirt log starting mid-session) gets a made-up one, and qmp_capabilities is
// answered when the recording has none. Each output carries the recorded gap before it, for paced replay.
#pragma once

#include "qmp/json.hpp"
#include "qmp/transcript.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trace {

struct ReplayOutput {
  std::chrono::microseconds delay{0};  // recorded time between the previous message and this one
  std::string line;                    // JSON text, without the line terminator
};

struct Divergence {
  std::uint64_t expected_seq = 0;  // the recorded command expected next (0: the recording had no more)
  std::string expected;            // its name
  std::string got;                 // what the client sent (command name, or the bad input's excerpt)
  std::string explanation;         // one line
};

class ReplayScript {
 public:
  // `ignored_arguments`: dotted paths into "arguments" that may differ from the recording (job ids, file names).
  explicit ReplayScript(qmp::Transcript transcript, std::vector<std::string> ignored_arguments = {});

  std::vector<ReplayOutput> on_connect();
  std::vector<ReplayOutput> on_client_line(std::string_view line);

  // Every recorded message has been played.
  bool finished() const noexcept { return next_ >= transcript_.entries.size(); }
  std::size_t commands_matched() const noexcept { return matched_; }
  std::size_t commands_recorded() const noexcept { return recorded_commands_; }
  const std::vector<Divergence>& divergences() const noexcept { return divergences_; }
  // A few lines: how far the replay got, and each divergence.
  std::string report() const;

 private:
  std::vector<ReplayOutput> play_until_next_command();
  std::vector<ReplayOutput> match_command(const std::string& name, const qmp::json::Document& doc,
                                          const std::optional<std::string>& client_id);
  bool next_command_is(std::string_view name) const;
  std::vector<ReplayOutput> skip_recorded_command();  // the next recorded command, its reply with it
  std::string rewrite_id(const qmp::TranscriptEntry& e) const;
  ReplayOutput error_reply(const std::string& desc, const std::optional<std::string>& client_id) const;

  qmp::Transcript transcript_;
  std::vector<std::string> ignored_arguments_;
  std::size_t next_ = 0;  // index of the next entry to play or expect
  std::size_t matched_ = 0;
  std::size_t skipped_ = 0;                  // recorded query-qmp-schema the client did not send
  std::size_t schema_queries_refused_ = 0;   // query-qmp-schema the recording lacked
  std::size_t recorded_commands_ = 0;
  bool answer_capabilities_ = false;  // the recording has no qmp_capabilities: answer it here
  bool diverged_ = false;
  std::vector<Divergence> divergences_;
  // recorded id (JSON text) -> the client's id (JSON text; nullopt when the client sent none)
  std::vector<std::pair<std::string, std::optional<std::string>>> ids_;
};

}  // namespace trace
