// libvirt debug logs as `qmpc trace import-libvirt` reads them: trace::import_libvirt_log, then each transcript it
// gives written out as a file would be.
//
// Properties: no crash; every imported transcript, written (qmp::format_transcript), reads back
// (qmp::parse_transcript) with the same entries, in order and with times that do not go backwards, and leaves no
// secret in clear.
#include "fuzz_check.hpp"
#include "secret_check.hpp"

#include <qmp/transcript_reader.hpp>
#include <qmp/transcript_writer.hpp>
#include <trace/libvirt_import.hpp>

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const auto imported = trace::import_libvirt_log(text, {}, ec, diag);
  QMPC_FUZZ_CHECK(imported || (ec && !diag.what.empty()), "a log refused without an error or without words");
  if (!imported) return 0;
  for (const trace::ImportedMonitor& im : *imported) {
    const std::string written = qmp::format_transcript(im.transcript);
    const auto again = qmp::parse_transcript(written, ec, diag);
    QMPC_FUZZ_CHECK(again, "an imported transcript does not read back: " + diag.what);
    QMPC_FUZZ_CHECK(again->entries.size() == im.transcript.entries.size(), "an imported transcript lost entries");
    for (const auto& e : again->entries) {
      const std::string left = qmpc_fuzz::secret_in_clear(e.json);
      QMPC_FUZZ_CHECK(left.empty(), left + " in an imported transcript: " + e.json);
    }
  }
  return 0;
}
