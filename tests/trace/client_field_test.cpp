// The entries' optional "client" member (recordings of `qmpc proxy`): written, read back, refused when it is no
// client number, kept by whole-transcript writes, and used by the checker, the timeline and the show view.
#include "qmp/transcript_error.hpp"
#include "qmp/transcript_reader.hpp"
#include "qmp/transcript_writer.hpp"
#include "trace/checker.hpp"
#include "trace/json_render.hpp"
#include "trace/timeline.hpp"
#include "trace/transcript_show.hpp"

#include "scratch_dir.hpp"
#include "transcript_builder.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using trace_test::cmd;
using trace_test::jsc;
using trace_test::ret;
using trace_test::TranscriptBuilder;

std::optional<qmp::TranscriptEntry> parse(const std::string& line, std::string* error = nullptr) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto e = qmp::parse_entry_line(line, ec, diag);
  if (error) *error = diag.what;
  return e;
}

TEST(ClientField, IsWrittenAfterTheDirectionAndReadBack) {
  qmp::TranscriptEntry e;
  e.seq = 4;
  e.time = 800us;
  e.direction = qmp::Direction::to_qemu;
  e.json = R"({"execute":"stop","id":3})";
  e.client = 2;
  const std::string line = qmp::format_entry_line(e);
  EXPECT_EQ(line, R"({"seq":4,"t_us":800,"dir":"to-qemu","client":2,"msg":{"execute":"stop","id":3}})");
  const auto back = parse(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->client, 2u);
  EXPECT_EQ(back->json, e.json);

  e.client = 0;  // a number like any other
  EXPECT_EQ(parse(qmp::format_entry_line(e))->client, 0u);
  e.client.reset();
  EXPECT_EQ(qmp::format_entry_line(e), R"({"seq":4,"t_us":800,"dir":"to-qemu","msg":{"execute":"stop","id":3}})");
  EXPECT_EQ(parse(qmp::format_entry_line(e))->client, std::nullopt);
  // A raw entry keeps its client too, and the member may come anywhere.
  const auto raw = parse(R"({"raw":"garbage","client":7,"seq":1,"t_us":0,"dir":"from-qemu"})");
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->raw);
  EXPECT_EQ(raw->client, 7u);
}

TEST(ClientField, AnythingButANonNegativeIntegerIsRefusedSayingWhat) {
  for (const char* value : {"-1", "\"2\"", "2.5", "null", "true", "[1]", "1e3"}) {
    std::string error;
    const std::string line = std::string(R"({"seq":1,"t_us":0,"dir":"to-qemu","client":)") + value + R"(,"msg":{}})";
    EXPECT_FALSE(parse(line, &error)) << line;
    EXPECT_EQ(error.rfind("entry member \"client\" is ", 0), 0u) << line;
    EXPECT_NE(error.find("expected a proxy's client number (an integer, 0 or more)"), std::string::npos) << error;
  }
  EXPECT_FALSE(parse(R"({"seq":1,"t_us":0,"dir":"to-qemu","client":18446744073709551616,"msg":{}})"));
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::parse_transcript("{\"qmp-transcript\":1,\"source\":\"qmpc\",\"qemu\":null}\n"
                                     R"({"seq":1,"t_us":0,"dir":"to-qemu","client":-3,"msg":{}})" "\n",
                                     ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_entry));
  EXPECT_EQ(diag.what, "line 2: entry member \"client\" is -3, expected a proxy's client number (an integer, 0 or more)");
}

class ClientFiles : public trace_test::ScratchDirTest {};

TEST_F(ClientFiles, TheWriterTagsRecordedMessagesAndWholeTranscriptsKeepTheTags) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const std::string file = (dir_ / "proxy.qmpt").string();
  auto writer = qmp::TranscriptWriter::create(file, ec, diag);
  ASSERT_TRUE(writer) << diag.what;
  const auto t0 = qmp::Clock::now();
  writer->record(qmp::Direction::to_qemu, 1, t0, R"({"execute":"qmp_capabilities","id":0})", std::nullopt);
  writer->record(qmp::Direction::to_qemu, 2, t0 + 10us,
                 R"({"execute":"object-add","arguments":{"qom-type":"secret","id":"s","data":"hunter2"},"id":1})", 3);
  writer->record(qmp::Direction::from_qemu, 3, t0 + 20us, R"({"return": {}, "id": 1})", 3);
  ASSERT_FALSE(writer->close());
  const std::string text = [&] {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;  // redacted as in every transcript
  auto t = qmp::read_transcript_file(file, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  ASSERT_EQ(t->entries.size(), 3u);
  EXPECT_EQ(t->entries[0].client, std::nullopt);
  EXPECT_EQ(t->entries[1].client, 3u);
  EXPECT_EQ(t->entries[2].client, 3u);

  // Written whole again (as imports and `-o -` do), read back: the same tags.
  const std::string copy = (dir_ / "copy.qmpt").string();
  ASSERT_TRUE(qmp::write_transcript_file(copy, *t, ec, diag)) << diag.what;
  EXPECT_NE(qmp::format_transcript(*t).find(R"("dir":"from-qemu","client":3,)"), std::string::npos);
  auto again = qmp::read_transcript_file(copy, ec, diag);
  ASSERT_TRUE(again) << diag.what;
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(again->entries[i].client, t->entries[i].client) << i;
}

// Two clients of a proxy: the same ids on their side, the proxy's own on QEMU's (1 and 2).
TranscriptBuilder two_clients() {
  TranscriptBuilder b;
  b.greeting();
  b.to(R"({"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":0})").from(R"({"return":{},"id":0})");
  b.to(R"({"execute":"query-status","id":1})", 1).to(R"({"execute":"query-status","id":2})", 2);
  b.from(R"({"return":{"status":"running"},"id":1})", 1).from(R"({"return":{"status":"running"},"id":2})", 2);
  return b;
}

TEST(ClientField, TheCheckerAcceptsRepliesToTheirOwnClientOnly) {
  EXPECT_TRUE(trace::check_transcript(two_clients().build()).empty());
  TranscriptBuilder b = two_clients();
  const auto seq = b.next_seq();
  b.to(R"({"execute":"stop","id":3})", 1).from(R"({"return":{},"id":3})", 2);
  b.to(R"({"execute":"cont","id":4})", 2).from(R"({"return":{},"id":4})");
  const auto findings = trace::check_transcript(b.build());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule, "reply-wrong-client");
  EXPECT_EQ(findings[0].seq, seq + 1);
  EXPECT_EQ(findings[0].client, 2u);
  EXPECT_EQ(findings[0].explanation,
            "the reply with id 3 is tagged client 2, its command client 1: the proxy gave it to the wrong client");
  EXPECT_EQ(findings[1].client, std::nullopt);
  EXPECT_NE(findings[1].explanation.find("tagged no client, its command client 2"), std::string::npos);
  const std::string text = trace::render_findings(findings);
  EXPECT_NE(text.find("[client 2] reply-wrong-client: the reply with id 3"), std::string::npos) << text;
  EXPECT_NE(trace::render_findings_json(findings).find(R"("t_us":800,"client":2,"explanation")"), std::string::npos)
      << trace::render_findings_json(findings);
}

TEST(ClientField, FindingsAboutAClientsCommandNameIt) {
  TranscriptBuilder b = two_clients();
  b.to(cmd("blockdev-mirror", R"({"job-id":"job0","device":"d","target":"t","sync":"full"})", "m"), 2);
  b.from(jsc("created")).from(jsc("running")).from(ret("m"), 2);
  b.to(cmd("block-job-complete", R"({"device":"job0"})", "c"), 1);
  const auto findings = trace::check_transcript(b.build());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "completion-not-ready");
  EXPECT_EQ(findings[0].client, 1u);
}

TEST(ClientField, TheTimelineSaysWhatEachClientDidAndTagsItsRows) {
  TranscriptBuilder b = two_clients();
  b.to(cmd("blockdev-mirror", R"({"job-id":"job0","device":"d","target":"t","sync":"full"})", "m"), 2);
  b.from(jsc("created")).from(jsc("running")).from(ret("m"), 2).from(jsc("ready"));
  b.to(cmd("block-job-complete", R"({"device":"job0"})", "c"), 1);
  b.from(R"({"error":{"class":"GenericError","desc":"no"},"id":"c"})", 1);
  const qmp::Transcript& t = b.build();
  const trace::Timeline tl = trace::build_timeline(t);
  ASSERT_EQ(tl.clients.size(), 2u);
  EXPECT_EQ(tl.clients[0].client, 1u);
  EXPECT_EQ(tl.clients[0].commands, 2u);
  EXPECT_EQ(tl.clients[0].replies, 2u);
  EXPECT_EQ(tl.clients[0].errors, 1u);
  EXPECT_EQ(tl.clients[0].first.seq, 4u);
  EXPECT_EQ(tl.clients[1].client, 2u);
  EXPECT_EQ(tl.clients[1].commands, 2u);
  ASSERT_EQ(tl.jobs.size(), 1u);
  EXPECT_EQ(tl.jobs[0].start->client, 2u);
  EXPECT_EQ(tl.jobs[0].completion_sent->client, 1u);

  const std::string text = trace::render_timeline(tl, t.header);
  EXPECT_NE(text.find("clients of the proxy (the numbers of its log):\n"
                      "  client 1: 2 command(s), 2 replies (1 error(s)), seq 4 (0.000300 s) to seq 14 (0.001300 s): "
                      "query-status, block-job-complete\n"
                      "  client 2: 2 command(s), 2 replies, seq 5 (0.000400 s) to seq 11 (0.001000 s): "
                      "query-status, blockdev-mirror\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  blockdev-mirror sent  [client 2]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  block-job-complete sent  [client 1]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  status ready\n"), std::string::npos) << text;  // an event: no client
  const std::string json = trace::render_timeline_json(tl);
  EXPECT_NE(json.find(R"("start_client":2)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("completion_client":1)"), std::string::npos) << json;

  // A recording of one client has no client lines.
  const std::string plain = trace::render_timeline(trace::build_timeline(TranscriptBuilder().greeting().build()), {});
  EXPECT_EQ(plain.find("client"), std::string::npos) << plain;
  EXPECT_NE(plain.find("no jobs"), std::string::npos) << plain;
}

TEST(ClientField, ShowTagsTheMessagesOfClients) {
  const std::string text = trace::render_transcript(two_clients().build());
  EXPECT_NE(text.find(R"(#4     ->  [client 1] {"execute":"query-status","id":1})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(#7     <-  [client 2] {"return":{"status":"running"},"id":2})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(#2     ->  {"execute":"qmp_capabilities")"), std::string::npos) << text;
}

}  // namespace
