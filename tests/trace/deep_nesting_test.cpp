// JSON nested 200,000 levels deep, in a transcript, a libvirt log or from a replay client: every reader refuses it
// with an error naming the limit (json::kMaxDepth), none recurses into it.
#include "qmp/json.hpp"
#include "qmp/transcript.hpp"
#include "qmp/transcript_error.hpp"
#include "qmp/transcript_reader.hpp"
#include "trace/libvirt_import.hpp"
#include "trace/replay_script.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace {

constexpr std::size_t kDeep = 200000;

std::string nested(std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

const std::string kHeader = R"({"qmp-transcript":1,"source":"qmpc","qemu":null})";

TEST(DeepNesting, DepthIsMeasuredWithoutRecursion) {
  EXPECT_EQ(qmp::json_nesting_depth("7"), 0u);
  EXPECT_EQ(qmp::json_nesting_depth(R"({"a":"[[[{{{\"[[["})"), 1u);
  EXPECT_EQ(qmp::json_nesting_depth(R"([[1],{"b":[2]}])"), 3u);
  EXPECT_EQ(qmp::json_nesting_depth(nested(kDeep)), kDeep);
}

TEST(DeepNesting, ATranscriptEntryOrHeaderTooDeepIsAnErrorNamingTheLimit) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const std::string entry = R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"return":)" + nested(kDeep) + "}}";
  EXPECT_FALSE(qmp::parse_transcript(kHeader + "\n" + entry + "\n", ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::not_json));
  EXPECT_EQ(diag.what.rfind("line 2: entry is not a JSON object: nested deeper than 1000 levels (the limit)", 0), 0u)
      << diag.what;
  EXPECT_FALSE(qmp::parse_transcript(R"({"qmp-transcript":1,"source":)" + nested(kDeep) + "}\n", ec, diag));
  EXPECT_EQ(diag.what.rfind("line 1: header is not a JSON object: nested deeper than 1000 levels (the limit)", 0), 0u)
      << diag.what;
  // Cut short at the end of the file, it is still no JSON object: dropped as a recording cut short.
  auto cut = qmp::parse_transcript(kHeader + "\n" + entry, ec, diag);
  ASSERT_TRUE(cut) << diag.what;
  EXPECT_TRUE(cut->truncated);
}

TEST(DeepNesting, AMessageAsDeepAsTheLimitIsRecordedRawSoThatItReadsBack) {
  qmp::TranscriptEntry e;
  e.seq = 1;
  e.direction = qmp::Direction::from_qemu;
  e.json = R"({"return":)" + nested(qmp::json::kMaxDepth - 1) + "}";  // the message nests kMaxDepth levels
  ASSERT_TRUE(qmp::json::parse_object(e.json));
  const std::string line = qmp::format_entry_line(e);
  EXPECT_EQ(line.rfind(R"({"seq":1,"t_us":0,"dir":"from-qemu","raw":")", 0), 0u);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto back = qmp::parse_entry_line(line, ec, diag);
  ASSERT_TRUE(back) << diag.what;
  EXPECT_TRUE(back->raw);
  EXPECT_EQ(back->json, e.json);
  // One level less fits in the entry's object.
  e.json = R"({"return":)" + nested(qmp::json::kMaxDepth - 2) + "}";
  EXPECT_EQ(qmp::format_entry_line(e).rfind(R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"return":[[)", 0), 0u);
}

TEST(DeepNesting, ALibvirtLogMessageTooDeepFailsTheImportNamingTheLineAndTheLimit) {
  const std::string log =
      "2026-11-25 17:05:26.222+0000: 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7f00 "
      "msg={\"execute\":\"qmp_capabilities\",\"id\":\"libvirt-1\"}\r\n fd=-1\n"
      "2026-11-25 17:05:26.223+0000: 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7f00 "
      "msg={\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"password\":" + nested(kDeep) +
      "},\"id\":\"libvirt-2\"}\r\n fd=-1\n";
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(trace::import_libvirt_log(log, {}, ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_log));
  EXPECT_EQ(diag.what.rfind("line 3: a message to QEMU on monitor 0x7f00 is nested deeper than 1000 levels (the "
                            "limit): '{\"execute\":\"object-add\",\"arguments\":",
                            0),
            0u)
      << diag.what;
}

TEST(DeepNesting, AReplayClientSendingItIsAnsweredAsQemuWouldAndDiverges) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(trace_test::fixture("transcripts/mirror-pivot.qmpt"), ec, diag);
  ASSERT_TRUE(t) << diag.what;
  trace::ReplayScript s(std::move(*t));
  s.on_connect();
  const auto out = s.on_client_line(R"({"execute":"qmp_capabilities","arguments":{"a":)" + nested(kDeep) + "}}");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].line.rfind(R"({"error": {"class": "GenericError", "desc": "JSON parse error: nested deeper than )"
                              R"(1000 levels (the limit))",
                              0),
            0u)
      << out[0].line.substr(0, 200);
  ASSERT_EQ(s.divergences().size(), 1u);
  EXPECT_EQ(s.divergences()[0].expected, "qmp_capabilities");
  EXPECT_EQ(s.divergences()[0].explanation.rfind("the client sent JSON nested deeper than 1000 levels (the limit)", 0),
            0u);
  // Malformed input that is not too deep stays no divergence (as before).
  trace::ReplayScript plain(qmp::Transcript{});
  plain.on_connect();
  plain.on_client_line("{not json");
  EXPECT_TRUE(plain.divergences().empty());
}

}  // namespace
