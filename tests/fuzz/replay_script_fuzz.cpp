// The fake QEMU of `qmpc trace replay`: trace::ReplayScript over a transcript, driven by a client.
//
// Input: a transcript, optionally followed by a line "#client" and the lines a client sends. Without them the client
// sends the recorded commands, as the recorded client did.
// Properties: no crash; a client that is not understood gets one error reply (valid QMP); a client that sends the
// recorded commands of a recording whose commands all have names plays the whole recording without divergence.
#include "fuzz_check.hpp"

#include <qmp/codec.hpp>
#include <qmp/json.hpp>
#include <qmp/transcript_reader.hpp>
#include <trace/replay_script.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view kClientMark = "\n#client\n";

void check_outputs(const std::vector<trace::ReplayOutput>& out) {
  for (const auto& o : out) QMPC_FUZZ_CHECK(o.delay.count() >= 0, "a negative delay before " + o.line);
}

// A line the replay answers with an error of its own: not a JSON object naming a command.
bool not_a_command(std::string_view line) {
  auto doc = qmp::json::parse_object(line);
  if (!doc) return true;
  return qmp::json::get_string(*doc, "execute").value_or(qmp::json::get_string(*doc, "exec-oob").value_or("")).empty();
}

void play_client(trace::ReplayScript& script, std::string_view lines) {
  while (!lines.empty()) {
    const std::size_t nl = lines.find('\n');
    const std::string_view line = lines.substr(0, nl);
    const auto out = script.on_client_line(line);
    check_outputs(out);
    if (not_a_command(line)) {
      QMPC_FUZZ_CHECK(out.size() == 1, "input that is no command got " + std::to_string(out.size()) + " answers");
      const qmp::Decoded d = qmp::decode_line(out.front().line, 1, {});
      QMPC_FUZZ_CHECK(d.message && d.message->kind() == qmp::MessageKind::error_reply,
                      "input that is no command got no error reply: " + out.front().line);
    }
    if (nl == std::string_view::npos) break;
    lines.remove_prefix(nl + 1);
  }
}

void play_recorded_commands(trace::ReplayScript& script, const qmp::Transcript& t) {
  bool all_named = true;
  std::vector<std::string> commands;
  for (const auto& e : t.entries) {
    if (e.direction != qmp::Direction::to_qemu || e.raw) continue;
    auto m = e.to_message();
    all_named = all_named && m && !m->command_name().empty();
    commands.push_back(e.json);
  }
  for (const auto& c : commands) check_outputs(script.on_client_line(c));
  if (all_named) {
    QMPC_FUZZ_CHECK(script.divergences().empty(), "the recorded commands diverged: " + script.report());
    QMPC_FUZZ_CHECK(script.commands_matched() == commands.size(), "not every recorded command matched");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t mark = input.find(kClientMark);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::parse_transcript(input.substr(0, mark), ec, diag);
  if (!t) return 0;
  const qmp::Transcript recorded = *t;
  trace::ReplayScript script(std::move(*t));
  check_outputs(script.on_connect());
  if (mark != std::string_view::npos)
    play_client(script, input.substr(mark + kClientMark.size()));
  else
    play_recorded_commands(script, recorded);
  (void)script.report();
  return 0;
}
