#include "qmp/transcript_reader.hpp"
#include "qmp/transcript_writer.hpp"
#include "qmp/redact.hpp"
#include "qmp/transcript_error.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

namespace {

using namespace std::chrono_literals;

class TranscriptFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("qmpc-transcript-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

constexpr const char* kGreeting =
    R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u16"}, "capabilities": ["oob"]}})";
constexpr const char* kSecretAdd =
    R"({"execute":"object-add","arguments":{"qom-type":"secret","id":"sec0","data":"letmein-123"},"id":2})";

unsigned mode_of(const std::string& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST_F(TranscriptFiles, WriterRecordsWhatTheReaderReadsBack) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const std::string file = path("session.qmpt");
  auto writer = qmp::TranscriptWriter::create(file, ec, diag);
  ASSERT_TRUE(writer) << diag.what;
  std::shared_ptr<qmp::TrafficObserver> observer = writer;  // as SessionOptions::observer holds it
  const auto t0 = qmp::Clock::now();
  observer->on_message(qmp::Direction::from_qemu, 1, t0, kGreeting);
  observer->on_message(qmp::Direction::to_qemu, 2, t0 + 150us, R"({"execute":"qmp_capabilities","id":1})");
  observer->on_message(qmp::Direction::from_qemu, 3, t0 + 900us, R"({"return": {}, "id": 1})");
  observer->on_message(qmp::Direction::to_qemu, 4, t0 + 2ms, kSecretAdd);
  EXPECT_EQ(writer->entries_written(), 4u);
  EXPECT_FALSE(writer->close());

  EXPECT_EQ(mode_of(file), 0600u);
  const std::string text = trace_test::read_file(file);
  EXPECT_EQ(text.find("letmein-123"), std::string::npos) << text;
  EXPECT_NE(text.find("<redacted>"), std::string::npos) << text;

  auto t = qmp::read_transcript_file(file, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->header.version, qmp::kTranscriptFormatVersion);
  EXPECT_EQ(t->header.source, "qmpc");
  EXPECT_EQ(t->header.qemu_version, "7.2.22");
  ASSERT_TRUE(t->header.started);
  EXPECT_LT(std::chrono::abs(*t->header.started - qmp::WallClock::now()), 60s);
  ASSERT_EQ(t->entries.size(), 4u);
  EXPECT_EQ(t->entries[0].seq, 1u);
  EXPECT_EQ(t->entries[0].direction, qmp::Direction::from_qemu);
  EXPECT_EQ(t->entries[0].time, 0us);
  EXPECT_EQ(t->entries[1].direction, qmp::Direction::to_qemu);
  EXPECT_EQ(t->entries[1].time, 150us);
  EXPECT_EQ(t->entries[1].json, R"({"execute":"qmp_capabilities","id":1})");
  EXPECT_EQ(t->entries[2].time, 900us);
  EXPECT_EQ(t->entries[2].json, R"({"return":{},"id":1})");  // the reader gives compact text
  EXPECT_EQ(t->entries[3].time, 2000us);
  auto secret = t->entries[3].to_message();
  ASSERT_TRUE(secret);
  EXPECT_EQ(qmp::json::get_string(*qmp::json::find(secret->json(), "arguments"), "data"), qmp::kRedacted);
}

TEST_F(TranscriptFiles, WholeTranscriptsRoundTripAndStayPrivate) {
  qmp::Transcript t;
  t.header.source = std::string(qmp::kSourceLibvirtLog);
  t.header.started = qmp::parse_wall_time("2026-11-25T17:05:26.222000Z");
  t.header.monitor = "0x7fa1f0006740";
  for (std::uint64_t i = 1; i <= 3; ++i) {
    qmp::TranscriptEntry e;
    e.seq = i;
    e.time = std::chrono::microseconds(1000 * i);
    e.direction = i % 2 ? qmp::Direction::to_qemu : qmp::Direction::from_qemu;
    e.json = i % 2 ? R"({"execute":"query-jobs","id":"libvirt-)" + std::to_string(i) + "\"}"
                   : R"({"return":[],"id":"libvirt-)" + std::to_string(i - 1) + "\"}";
    t.entries.push_back(e);
  }
  t.entries.back().json = kSecretAdd;
  const std::string file = path("import.qmpt");
  {  // a wider-mode file already there is replaced by a new private one
    std::ofstream(file) << "old";
    ::chmod(file.c_str(), 0644);
  }
  qmp::error_code ec;
  qmp::Diagnostics diag;
  ASSERT_TRUE(qmp::write_transcript_file(file, t, ec, diag, qmp::ExistingFile::replace)) << diag.what;
  EXPECT_EQ(mode_of(file), 0600u);
  auto back = qmp::read_transcript_file(file, ec, diag);
  ASSERT_TRUE(back) << diag.what;
  EXPECT_EQ(back->header.monitor, "0x7fa1f0006740");
  EXPECT_EQ(back->header.started, t.header.started);
  ASSERT_EQ(back->entries.size(), 3u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->entries[i].seq, t.entries[i].seq);
    EXPECT_EQ(back->entries[i].time, t.entries[i].time);
    EXPECT_EQ(back->entries[i].direction, t.entries[i].direction);
    EXPECT_EQ(back->entries[i].json, t.entries[i].json);
  }
  EXPECT_EQ(back->entries[2].json.find("letmein"), std::string::npos);
}

TEST_F(TranscriptFiles, EverySecretOfThePolicyIsRedactedInTheFile) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const std::string file = path("secrets.qmpt");
  auto writer = qmp::TranscriptWriter::create(file, ec, diag);
  ASSERT_TRUE(writer) << diag.what;
  const char* lines[] = {
      R"({"execute":"human-monitor-command","arguments":{"command-line":"object_add secret,id=s1,data=hunter2"},"id":1})",
      R"({"execute":"human-monitor-command","arguments":{"command-line":"set_password vnc hunter2"},"id":2})",
      R"({"execute":"qom-set","arguments":{"path":"/objects/s1","property":"data","value":"hunter2"},"id":3})",
      R"({"execute":"object-add","arguments":{"qom-type":"secret","id":"s2","props":{"data":"hunter2"}},"id":4})",
      R"({"execute":"blockdev-add","arguments":{"driver":"https","url":"https://u:hunter2@h/x"},"id":5})",
      R"({"execute":"blockdev-add","arguments":{"driver":"rbd","filename":"rbd:p/i:id=admin:key=hunter2"},"id":6})",
  };
  std::uint64_t seq = 0;
  for (const char* l : lines) writer->on_message(qmp::Direction::to_qemu, ++seq, qmp::Clock::now(), l);
  ASSERT_FALSE(writer->close());
  const std::string text = trace_test::read_file(file);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  auto t = qmp::read_transcript_file(file, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->entries.size(), std::size(lines));
}

TEST_F(TranscriptFiles, EachLineIsOnDiskAsSoonAsItIsSeen) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const std::string file = path("live.qmpt");
  auto writer = qmp::TranscriptWriter::create(file, ec, diag);
  ASSERT_TRUE(writer);
  writer->on_message(qmp::Direction::from_qemu, 1, qmp::Clock::now(), kGreeting);
  // Still open: another reader sees the header and the entry already.
  auto t = qmp::read_transcript_file(file, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->entries.size(), 1u);
}

TEST_F(TranscriptFiles, CreateFailsClearly) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::TranscriptWriter::create(path("no/such/dir/x.qmpt"), ec, diag));
  EXPECT_TRUE(ec);
  EXPECT_NE(diag.what.find("no/such/dir/x.qmpt"), std::string::npos) << diag.what;
}

TEST(TranscriptReader, ErrorsNameTheLine) {
  const std::string good_header = R"({"qmp-transcript":1,"source":"qmpc","qemu":null})";
  const std::string e1 = R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"return":{}}})";
  const std::string e2 = R"({"seq":2,"t_us":5,"dir":"to-qemu","msg":{"execute":"stop"}})";
  struct Case {
    std::string text;
    qmp::transcript_errc error;
    std::string prefix;
  };
  const Case cases[] = {
      {good_header + "\n" + e1 + "\n{oops\n", qmp::transcript_errc::not_json, "line 3: "},
      {good_header + "\n\n" + e2 + "\n" + e1 + "\n", qmp::transcript_errc::out_of_order, "line 4: "},
      {e1 + "\n", qmp::transcript_errc::bad_header, "line 1: "},
      {"", qmp::transcript_errc::empty, "no transcript header"},
      {good_header + "\n" + R"({"seq":1,"t_us":0,"dir":"to-qemu"})" + "\n", qmp::transcript_errc::bad_entry, "line 2: "},
  };
  for (const auto& c : cases) {
    qmp::error_code ec;
    qmp::Diagnostics diag;
    EXPECT_FALSE(qmp::parse_transcript(c.text, ec, diag)) << c.text;
    EXPECT_EQ(ec, qmp::make_error_code(c.error)) << c.text;
    EXPECT_EQ(diag.what.substr(0, c.prefix.size()), c.prefix) << diag.what;
  }
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto ok = qmp::parse_transcript(good_header + "\r\n" + e1 + "\r\n\n" + e2, ec, diag);
  ASSERT_TRUE(ok) << diag.what;
  EXPECT_EQ(ok->entries.size(), 2u);
}

TEST_F(TranscriptFiles, ARecordingCutShortMidLineIsReadUpToItsLastWholeLine) {
  const std::string header = R"({"qmp-transcript":1,"source":"qmpc","qemu":null})";
  const std::string e1 = R"({"seq":1,"t_us":0,"dir":"from-qemu","msg":{"return":{}}})";
  const std::string cut = R"({"seq":2,"t_us":5,"dir":"to-q)";
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::parse_transcript(header + "\n" + e1 + "\n" + cut, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_TRUE(t->truncated);
  EXPECT_EQ(t->entries.size(), 1u);

  const std::string file = path("cut.qmpt");
  std::ofstream(file) << header << "\n" << e1 << "\n" << cut;
  auto f = qmp::read_transcript_file(file, ec, diag);
  ASSERT_TRUE(f) << diag.what;
  EXPECT_TRUE(f->truncated);
  EXPECT_EQ(f->entries.size(), 1u);

  // Whole files are not marked; a bad line that is whole JSON is still an error, newline or not.
  auto whole = qmp::parse_transcript(header + "\n" + e1, ec, diag);
  ASSERT_TRUE(whole);
  EXPECT_FALSE(whole->truncated);
  EXPECT_FALSE(qmp::parse_transcript(header + "\n" + e1 + "\n" + R"({"seq":2})", ec, diag));
  EXPECT_EQ(diag.what.substr(0, 8), "line 3: ");
  // The cut is only forgiven at the very end.
  EXPECT_FALSE(qmp::parse_transcript(header + "\n" + cut + "\n" + e1, ec, diag));
}

TEST(TranscriptReader, MissingFileSaysWhich) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::read_transcript_file("/nonexistent/x.qmpt", ec, diag));
  EXPECT_TRUE(ec);
  EXPECT_NE(diag.what.find("/nonexistent/x.qmpt"), std::string::npos);
}

TEST(TranscriptReader, ReadsTheCommittedExample) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(trace_test::fixture("transcripts/mirror-pivot.qmpt"), ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->header.qemu_version, "7.2.22");
  EXPECT_GT(t->entries.size(), 10u);
}

}  // namespace
