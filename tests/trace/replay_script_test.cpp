#include "trace/libvirt_import.hpp"
#include "trace/replay_script.hpp"

#include "qmp/transcript_reader.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

qmp::Transcript pivot_recording() {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(trace_test::fixture("transcripts/mirror-pivot.qmpt"), ec, diag);
  EXPECT_TRUE(t) << diag.what;
  return t ? std::move(*t) : qmp::Transcript{};
}

std::vector<std::string> lines(const std::vector<trace::ReplayOutput>& out) {
  std::vector<std::string> v;
  for (const auto& o : out) v.push_back(o.line);
  return v;
}

TEST(ReplayScript, PlaysTheServerSideWithTheClientsIds) {
  trace::ReplayScript s(pivot_recording());
  auto greeting = s.on_connect();
  ASSERT_EQ(greeting.size(), 1u);
  EXPECT_NE(greeting[0].line.find("\"QMP\""), std::string::npos);
  EXPECT_EQ(greeting[0].delay, 0us);

  auto caps = s.on_client_line(R"({"execute":"qmp_capabilities","id":7})");
  EXPECT_EQ(lines(caps), (std::vector<std::string>{R"({"return":{},"id":7})"}));
  EXPECT_EQ(caps[0].delay, 330us);  // recorded: command at 210 µs, reply at 540 µs

  auto start = s.on_client_line(
      R"({"execute":"blockdev-mirror","arguments":{"job-id":"job0","device":"drive0","target":"tgt","sync":"full"},"id":"abc"})");
  ASSERT_EQ(start.size(), 5u);
  EXPECT_NE(start[0].line.find("\"created\""), std::string::npos);
  EXPECT_NE(start[1].line.find("\"running\""), std::string::npos);
  EXPECT_EQ(start[2].line, R"({"return":{},"id":"abc"})");
  EXPECT_NE(start[3].line.find("\"ready\""), std::string::npos);
  EXPECT_NE(start[4].line.find("BLOCK_JOB_READY"), std::string::npos);
  EXPECT_EQ(start[0].delay, 1100us);
  EXPECT_EQ(start[3].delay, 62090us);
  EXPECT_FALSE(s.finished());

  auto done = s.on_client_line(R"({"execute":"block-job-complete","arguments":{"device":"job0"}})");
  ASSERT_EQ(done.size(), 6u);
  EXPECT_EQ(done[0].line, R"({"return":{}})");  // the client sent no id: the reply has none
  EXPECT_NE(done[5].line.find("\"null\""), std::string::npos);
  EXPECT_TRUE(s.finished());
  EXPECT_EQ(s.commands_matched(), 3u);
  EXPECT_TRUE(s.divergences().empty());
  EXPECT_EQ(s.report(), "replayed 3 of 3 recorded commands; the whole recording was played\n");
}

TEST(ReplayScript, ADivergingClientGetsAQmpErrorAndIsReported) {
  trace::ReplayScript s(pivot_recording());
  s.on_connect();
  s.on_client_line(R"({"execute":"qmp_capabilities","id":1})");
  auto wrong = s.on_client_line(R"({"execute":"block-job-complete","arguments":{"device":"job0"},"id":2})");
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].line,
            R"({"error": {"class": "GenericError", "desc": "qmpc replay: expected 'blockdev-mirror' (recorded seq 4), )"
            R"(got 'block-job-complete'"}, "id": 2})");
  ASSERT_EQ(s.divergences().size(), 1u);
  EXPECT_EQ(s.divergences()[0].expected_seq, 4u);
  EXPECT_EQ(s.divergences()[0].expected, "blockdev-mirror");
  EXPECT_EQ(s.divergences()[0].got, "block-job-complete");
  auto later = s.on_client_line(R"({"execute":"blockdev-mirror","id":3})");
  ASSERT_EQ(later.size(), 1u);
  EXPECT_NE(later[0].line.find("stopped at the first divergence"), std::string::npos);
  EXPECT_NE(s.report().find("divergence: expected 'blockdev-mirror'"), std::string::npos) << s.report();
  EXPECT_FALSE(s.finished());
}

TEST(ReplayScript, BadInputIsAnsweredLikeQemuWithoutDiverging) {
  trace::ReplayScript s(pivot_recording());
  s.on_connect();
  auto bad = s.on_client_line("{oops");
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_NE(bad[0].line.find("JSON parse error"), std::string::npos);
  auto no_execute = s.on_client_line(R"({"id":4})");
  EXPECT_EQ(no_execute[0].line,
            R"({"error": {"class": "GenericError", "desc": "QMP input lacks member 'execute'"}, "id": 4})");
  EXPECT_TRUE(s.divergences().empty());
  EXPECT_EQ(s.on_client_line(R"({"execute":"qmp_capabilities"})").size(), 1u);
  EXPECT_EQ(s.commands_matched(), 1u);
}

TEST(ReplayScript, LibvirtImportGetsAGreetingAndCapabilities) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  trace::LibvirtImportOptions o;
  o.monitor = "0x7fa1f0006740";
  auto imported = trace::import_libvirt_log_file(trace_test::fixture("libvirt/libvirt-9.0-blockcopy-debug.log"), o,
                                                 ec, diag);
  ASSERT_TRUE(imported) << diag.what;
  const qmp::Transcript recording = (*imported)[0].transcript;
  trace::ReplayScript s(recording);
  auto greeting = s.on_connect();
  ASSERT_EQ(greeting.size(), 1u);
  EXPECT_NE(greeting[0].line.find(R"("major": 7)"), std::string::npos) << greeting[0].line;
  EXPECT_EQ(lines(s.on_client_line(R"({"execute":"qmp_capabilities","id":0})")),
            (std::vector<std::string>{R"({"return": {}, "id": 0})"}));
  // Replay every recorded command with its recorded arguments, and qmpc-style numeric ids.
  int id = 1;
  std::size_t served = 0;
  for (const auto& e : recording.entries) {
    if (e.direction != qmp::Direction::to_qemu) continue;
    auto m = e.to_message();
    ASSERT_TRUE(m);
    const qmp::json::Value* arguments = qmp::json::find(m->json(), "arguments");
    auto out = s.on_client_line(R"({"execute":")" + std::string(m->command_name()) + R"(",)" +
                                (arguments ? R"("arguments":)" + qmp::json::to_string(*arguments) + "," : "") +
                                R"("id":)" + std::to_string(id) + "}");
    ASSERT_FALSE(out.empty());
    bool answered = false;
    for (const auto& sent : out) {
      // Every reply carries the client's id, none the recorded one.
      EXPECT_EQ(sent.line.find(R"("id":"libvirt-4)"), std::string::npos) << sent.line;
      EXPECT_EQ(sent.line.find(R"("id": "libvirt-4)"), std::string::npos) << sent.line;
      if (sent.line.find(R"("id":)" + std::to_string(id) + "}") != std::string::npos) answered = true;
    }
    EXPECT_TRUE(answered) << m->command_name();
    served += out.size();
    ++id;
  }
  EXPECT_EQ(served, 34u);
  EXPECT_TRUE(s.finished());
  EXPECT_EQ(s.commands_matched(), 17u);
  EXPECT_TRUE(s.divergences().empty());
}

TEST(ReplayScript, CommandsBeyondTheRecordingDiverge) {
  trace::ReplayScript s(pivot_recording());
  s.on_connect();
  for (const char* c : {R"({"execute":"qmp_capabilities"})",
                        R"({"execute":"blockdev-mirror","arguments":{"job-id":"job0","device":"drive0","target":"tgt","sync":"full"}})",
                        R"({"execute":"block-job-complete","arguments":{"device":"job0"}})"}) {
    s.on_client_line(c);
  }
  ASSERT_TRUE(s.finished());
  auto extra = s.on_client_line(R"({"execute":"query-jobs","id":"x"})");
  ASSERT_EQ(extra.size(), 1u);
  EXPECT_NE(extra[0].line.find("no more commands"), std::string::npos);
  ASSERT_EQ(s.divergences().size(), 1u);
  EXPECT_EQ(s.divergences()[0].expected_seq, 0u);
}

TEST(ReplayScript, ArgumentsMustMatchTheRecording) {
  trace::ReplayScript s(pivot_recording());
  s.on_connect();
  s.on_client_line(R"({"execute":"qmp_capabilities","id":1})");
  auto wrong = s.on_client_line(
      R"({"execute":"blockdev-mirror","arguments":{"job-id":"job0","device":"drive0","target":"other","sync":"full"},"id":2})");
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].line,
            R"({"error": {"class": "GenericError", "desc": "qmpc replay: 'blockdev-mirror' (recorded seq 4) with other )"
            R"(arguments: target: recorded \"tgt\", got \"other\""}, "id": 2})");
  ASSERT_EQ(s.divergences().size(), 1u);
  EXPECT_EQ(s.divergences()[0].expected_seq, 4u);
  EXPECT_EQ(s.commands_matched(), 1u);
}

TEST(ReplayScript, IgnoredArgumentsMayDiffer) {
  trace::ReplayScript s(pivot_recording(), {"target", "job-id"});
  s.on_connect();
  s.on_client_line(R"({"execute":"qmp_capabilities","id":1})");
  auto start = s.on_client_line(
      R"({"execute":"blockdev-mirror","arguments":{"job-id":"j9","device":"drive0","target":"other","sync":"full"},"id":2})");
  EXPECT_EQ(start.size(), 5u);
  EXPECT_TRUE(s.divergences().empty());
  auto sync = trace::ReplayScript(pivot_recording(), {"target"});
  sync.on_connect();
  sync.on_client_line(R"({"execute":"qmp_capabilities","id":1})");
  sync.on_client_line(
      R"({"execute":"blockdev-mirror","arguments":{"job-id":"job0","device":"drive0","target":"x","sync":"top"},"id":2})");
  ASSERT_EQ(sync.divergences().size(), 1u);
  EXPECT_NE(sync.divergences()[0].explanation.find(R"(sync: recorded "full", got "top")"), std::string::npos);
}

// A recording whose client asked for the schema: greeting, capabilities, query-qmp-schema (an event comes before
// its reply), query-status.
qmp::Transcript schema_recording() {
  qmp::Transcript t;
  const std::pair<qmp::Direction, const char*> lines[] = {
      {qmp::Direction::from_qemu, R"({"QMP":{"version":{"qemu":{"micro":0,"minor":2,"major":7},"package":""},"capabilities":[]}})"},
      {qmp::Direction::to_qemu, R"({"execute":"qmp_capabilities","id":1})"},
      {qmp::Direction::from_qemu, R"({"return":{},"id":1})"},
      {qmp::Direction::to_qemu, R"({"execute":"query-qmp-schema","id":2})"},
      {qmp::Direction::from_qemu, R"({"event":"RESUME","timestamp":{"seconds":1,"microseconds":0}})"},
      {qmp::Direction::from_qemu, R"({"return":[{"name":"query-status","meta-type":"command","arg-type":"0","ret-type":"1"}],"id":2})"},
      {qmp::Direction::to_qemu, R"({"execute":"query-status","id":3})"},
      {qmp::Direction::from_qemu, R"({"return":{"status":"running","running":true},"id":3})"},
  };
  std::uint64_t seq = 0;
  for (const auto& [dir, json] : lines) {
    qmp::TranscriptEntry e;
    e.seq = ++seq;
    e.direction = dir;
    e.time = std::chrono::microseconds(seq * 10);
    e.json = json;
    t.entries.push_back(e);
  }
  return t;
}

TEST(ReplayScript, ARecordedSchemaQueryTheClientDoesNotSendIsSkippedWithItsReply) {
  trace::ReplayScript s(schema_recording());
  s.on_connect();
  s.on_client_line(R"({"execute":"qmp_capabilities","id":"a"})");
  // A client whose schema is cached goes straight to its command.
  auto out = lines(s.on_client_line(R"({"execute":"query-status","id":"b"})"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[0].find("RESUME"), std::string::npos);  // what QEMU sent meanwhile is still played
  EXPECT_EQ(out[1], R"({"return":{"status":"running","running":true},"id":"b"})");
  EXPECT_TRUE(s.divergences().empty());
  EXPECT_TRUE(s.finished());
  EXPECT_NE(s.report().find("skipped 1 recorded query-qmp-schema"), std::string::npos) << s.report();
}

TEST(ReplayScript, ARecordedSchemaQueryTheClientSendsIsPlayed) {
  trace::ReplayScript s(schema_recording());
  s.on_connect();
  s.on_client_line(R"({"execute":"qmp_capabilities","id":"a"})");
  auto out = lines(s.on_client_line(R"({"execute":"query-qmp-schema","id":"q"})"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[1].find(R"("id":"q")"), std::string::npos);
  s.on_client_line(R"({"execute":"query-status","id":"b"})");
  EXPECT_TRUE(s.divergences().empty());
  EXPECT_EQ(s.commands_matched(), 3u);
}

TEST(ReplayScript, ASchemaQueryTheRecordingLacksGetsAnErrorWithoutDiverging) {
  trace::ReplayScript s(pivot_recording());
  s.on_connect();
  s.on_client_line(R"({"execute":"qmp_capabilities","id":1})");
  auto out = lines(s.on_client_line(R"({"execute":"query-qmp-schema","id":"q"})"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find(R"("class": "GenericError")"), std::string::npos) << out[0];
  EXPECT_NE(out[0].find(R"("id": "q")"), std::string::npos) << out[0];
  auto start = s.on_client_line(
      R"({"execute":"blockdev-mirror","arguments":{"job-id":"job0","device":"drive0","target":"tgt","sync":"full"}})");
  EXPECT_EQ(start.size(), 5u);
  EXPECT_TRUE(s.divergences().empty());
  EXPECT_NE(s.report().find("answered 1 query-qmp-schema the recording lacks"), std::string::npos) << s.report();
}

}  // namespace
