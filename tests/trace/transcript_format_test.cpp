#include "qmp/transcript.hpp"
#include "qmp/transcript_error.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

TEST(TranscriptFormat, HeaderLineRoundTrips) {
  qmp::TranscriptHeader h;
  h.source = std::string(qmp::kSourceLibvirtLog);
  h.qemu_version = "7.2.22";
  h.started = qmp::parse_wall_time("2026-11-25T17:05:26.222000Z");
  h.monitor = "0x7fa1f0006740";
  h.origin = "libvirtd.log";
  const std::string line = qmp::format_header_line(h);
  EXPECT_EQ(line,
            R"({"qmp-transcript":1,"source":"libvirt-log","qemu":"7.2.22","started":"2026-11-25T17:05:26.222000Z",)"
            R"("monitor":"0x7fa1f0006740","origin":"libvirtd.log"})");
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto back = qmp::parse_header_line(line, ec, diag);
  ASSERT_TRUE(back) << diag.what;
  EXPECT_EQ(back->version, 1);
  EXPECT_EQ(back->source, "libvirt-log");
  EXPECT_EQ(back->qemu_version, "7.2.22");
  EXPECT_EQ(back->started, h.started);
  EXPECT_EQ(back->monitor, h.monitor);
  EXPECT_EQ(back->origin, h.origin);
}

TEST(TranscriptFormat, UnknownQemuVersionIsNull) {
  qmp::TranscriptHeader h;
  EXPECT_EQ(qmp::format_header_line(h), R"({"qmp-transcript":1,"source":"qmpc","qemu":null})");
}

TEST(TranscriptFormat, WallTimesAreUtcWithMicroseconds) {
  const auto t = qmp::parse_wall_time("2026-11-25T17:05:26.5Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(qmp::format_wall_time(*t), "2026-11-25T17:05:26.500000Z");
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count(),
            1795626326500000);
  EXPECT_FALSE(qmp::parse_wall_time("2026-11-25 17:05:26Z"));
  EXPECT_FALSE(qmp::parse_wall_time("2026-11-25T17:05:26.222"));
}

TEST(TranscriptFormat, EntryKeepsTheMessageVerbatim) {
  qmp::TranscriptEntry e;
  e.seq = 7;
  e.time = 1500us;
  e.direction = qmp::Direction::from_qemu;
  e.json = R"({"return": {}, "id": "libvirt-412"})";
  EXPECT_EQ(qmp::format_entry_line(e), R"({"seq":7,"t_us":1500,"dir":"from-qemu","msg":{"return": {}, "id": "libvirt-412"}})");
}

TEST(TranscriptFormat, MultiLineMessagesAreMadeCompactAndNonJsonIsRaw) {
  qmp::TranscriptEntry e;
  e.seq = 1;
  e.direction = qmp::Direction::to_qemu;
  e.json = "{\"execute\":\n \"stop\"}";
  EXPECT_EQ(qmp::format_entry_line(e), R"({"seq":1,"t_us":0,"dir":"to-qemu","msg":{"execute":"stop"}})");
  e.json = "garbage\x01";
  const std::string line = qmp::format_entry_line(e);
  EXPECT_EQ(line, R"({"seq":1,"t_us":0,"dir":"to-qemu","raw":"garbage\u0001"})");
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto back = qmp::parse_entry_line(line, ec, diag);
  ASSERT_TRUE(back) << diag.what;
  EXPECT_TRUE(back->raw);
  EXPECT_EQ(back->json, "garbage\x01");
  EXPECT_FALSE(back->to_message());
}

TEST(TranscriptFormat, EntriesBecomeClassifiedMessages) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto cmd = qmp::parse_entry_line(
      R"({"seq":3,"t_us":20,"dir":"to-qemu","msg":{"execute":"job-complete","arguments":{"id":"j"},"id":5}})", ec,
      diag);
  ASSERT_TRUE(cmd) << diag.what;
  auto m = cmd->to_message();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind(), qmp::MessageKind::command);
  EXPECT_EQ(m->command_name(), "job-complete");
  EXPECT_EQ(m->seq(), 3u);
}

struct BadLine {
  const char* line;
  qmp::transcript_errc error;
  const char* says;
};

TEST(TranscriptFormat, BadEntriesSayWhatIsWrong) {
  const BadLine cases[] = {
      {"not json", qmp::transcript_errc::not_json, "not a JSON object"},
      {R"({"t_us":0,"dir":"to-qemu","msg":{}})", qmp::transcript_errc::bad_entry, "\"seq\""},
      {R"({"seq":1,"dir":"to-qemu","msg":{}})", qmp::transcript_errc::bad_entry, "\"t_us\""},
      {R"({"seq":1,"t_us":-4,"dir":"to-qemu","msg":{}})", qmp::transcript_errc::bad_entry, "\"t_us\""},
      {R"({"seq":1,"t_us":0,"dir":"sideways","msg":{}})", qmp::transcript_errc::bad_entry, "\"dir\""},
      {R"({"seq":1,"t_us":0,"dir":"to-qemu","msg":[1]})", qmp::transcript_errc::bad_entry, "\"msg\""},
      {R"({"seq":1,"t_us":0,"dir":"to-qemu"})", qmp::transcript_errc::bad_entry, "neither"},
  };
  for (const auto& c : cases) {
    qmp::error_code ec;
    qmp::Diagnostics diag;
    EXPECT_FALSE(qmp::parse_entry_line(c.line, ec, diag)) << c.line;
    EXPECT_EQ(ec, qmp::make_error_code(c.error)) << c.line;
    EXPECT_NE(diag.what.find(c.says), std::string::npos) << c.line << " -> " << diag.what;
  }
}

TEST(TranscriptFormat, NewerVersionsAreRefused) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::parse_header_line(R"({"qmp-transcript":2,"source":"qmpc","qemu":null})", ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::unsupported_version));
  EXPECT_FALSE(qmp::parse_header_line(R"({"seq":1})", ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_header));
  EXPECT_FALSE(qmp::parse_header_line(R"({"qmp-transcript":1,"source":"qmpc","started":"yesterday"})", ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_header));
}

TEST(TranscriptFormat, ErrorsSayWhatTheySaw) {
  const std::pair<const char*, const char*> entries[] = {
      {R"({"seq":1,"t_us":-1000,"dir":"to-qemu","msg":{}})",
       R"(entry member "t_us" is -1000, expected microseconds from 0 to 9223372036854775)"},
      {R"({"seq":1,"dir":"to-qemu","msg":{}})",
       R"(entry lacks "t_us" (expected microseconds from 0 to 9223372036854775))"},
      {R"({"seq":"1","t_us":0,"dir":"to-qemu","msg":{}})", R"(entry member "seq" is "1", expected an unsigned integer)"},
      {R"({"seq":1,"t_us":0,"dir":"sideways","msg":{}})",
       R"(entry member "dir" is "sideways", expected "to-qemu" or "from-qemu")"},
      {R"({"seq":1,"t_us":0,"dir":"to-qemu","msg":[1]})", R"(entry member "msg" is [1], expected a JSON object)"},
      {R"({"seq":1,"t_us":0,"dir":"to-qemu","raw":5})", R"(entry member "raw" is 5, expected a string)"},
      {R"({"seq":1,"t_us":0,"dir":"to-qemu"})",
       R"(entry has neither "msg" (an object) nor "raw" (a string): {"seq":1,"t_us":0,"dir":"to-qemu"})"},
      {R"([1,2])", R"(entry is not a JSON object: it is [1,2])"},
  };
  for (const auto& [line, says] : entries) {
    qmp::error_code ec;
    qmp::Diagnostics diag;
    EXPECT_FALSE(qmp::parse_entry_line(line, ec, diag)) << line;
    EXPECT_EQ(diag.what, says) << line;
  }
  const std::pair<const char*, const char*> headers[] = {
      {R"({"qmp-transcript":"1","source":"qmpc"})", R"(header member "qmp-transcript" is "1", expected a positive integer)"},
      {R"({"qmp-transcript":1,"source":5})", R"(header member "source" is 5, expected a string)"},
      {R"({"qmp-transcript":1})", R"(header lacks "source" (expected a string))"},
      {R"({"qmp-transcript":1,"source":"qmpc","qemu":7})", R"(header member "qemu" is 7, expected a string or null)"},
      {R"({"seq":1})", R"(the first line is not a transcript header (no "qmp-transcript"): {"seq":1})"},
  };
  for (const auto& [line, says] : headers) {
    qmp::error_code ec;
    qmp::Diagnostics diag;
    EXPECT_FALSE(qmp::parse_header_line(line, ec, diag)) << line;
    EXPECT_EQ(diag.what, says) << line;
  }
}

}  // namespace
