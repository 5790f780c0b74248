// Transcript files as `qmpc trace check` and `qmpc trace timeline` read them: qmp::parse_transcript, each entry's
// message, the checker and the timeline, and a transcript written back out.
//
// Properties: no crash; a transcript that was read, written again (qmp::format_transcript) reads back with the same
// entries and leaves no secret in clear.
#include "fuzz_check.hpp"
#include "secret_check.hpp"

#include <qmp/transcript_reader.hpp>
#include <qmp/transcript_writer.hpp>
#include <trace/checker.hpp>
#include <trace/timeline.hpp>

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const auto t = qmp::parse_transcript(text, ec, diag);
  QMPC_FUZZ_CHECK(t || (ec && !diag.what.empty()), "a transcript refused without an error or without words");
  if (!t) return 0;

  for (const auto& e : t->entries) {
    if (auto m = e.to_message()) {
      (void)m->event_name();
      (void)m->timestamp_us();
      (void)m->error_desc();
    }
  }
  (void)trace::render_findings(trace::check_transcript(*t));
  (void)trace::render_timeline(trace::build_timeline(*t), t->header);

  const std::string written = qmp::format_transcript(*t);
  const auto again = qmp::parse_transcript(written, ec, diag);
  QMPC_FUZZ_CHECK(again, "a transcript written back does not read: " + diag.what);
  QMPC_FUZZ_CHECK(again->entries.size() == t->entries.size(), "a transcript written back lost entries");
  for (const auto& e : again->entries) {
    const std::string left = qmpc_fuzz::secret_in_clear(e.json);
    QMPC_FUZZ_CHECK(left.empty(), left + " in a written transcript: " + e.json);
  }
  return 0;
}
