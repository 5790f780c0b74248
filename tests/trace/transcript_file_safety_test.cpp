// Where a transcript may be written: never through a symbolic link, never into a device or FIFO, never over an
// existing file unless asked, never before the first message (a failed connection leaves no file).
#include "qmp/transcript_reader.hpp"
#include "qmp/transcript_writer.hpp"

#include "fixture_files.hpp"
#include "scratch_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr const char* kGreeting = R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}, "capabilities": []}})";

class TranscriptFileSafety : public trace_test::ScratchDirTest {
 protected:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static void put(const std::string& p, const std::string& text, mode_t mode) {
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
  }
  static mode_t mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  }

  qmp::error_code ec;
  qmp::Diagnostics diag;
};

TEST_F(TranscriptFileSafety, ASymbolicLinkIsRefusedAndItsTargetUntouched) {
  const auto target = path("precious");
  put(target, "keep me", 0644);
  const auto link = path("link.qmpt");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  for (auto existing : {qmp::ExistingFile::refuse, qmp::ExistingFile::replace}) {
    EXPECT_FALSE(qmp::TranscriptWriter::create(link, ec, diag, {}, existing));
    EXPECT_EQ(ec, qmp::errc::invalid_argument);
    EXPECT_NE(diag.what.find("symbolic link"), std::string::npos) << diag.what;
    EXPECT_NE(diag.what.find(link), std::string::npos) << diag.what;
    EXPECT_FALSE(qmp::write_transcript_file(link, {}, ec, diag, existing));
  }
  EXPECT_EQ(trace_test::read_file(target), "keep me");
  EXPECT_EQ(mode_of(target), 0644u);
  EXPECT_TRUE(std::filesystem::is_symlink(link));
}

TEST_F(TranscriptFileSafety, ADeviceOrFifoIsRefusedNamingItsType) {
  EXPECT_FALSE(qmp::TranscriptWriter::create("/dev/null", ec, diag, {}, qmp::ExistingFile::replace));
  EXPECT_NE(diag.what.find("'/dev/null' is a character device, not a regular file"), std::string::npos) << diag.what;
  const auto fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  EXPECT_FALSE(qmp::write_transcript_file(fifo, {}, ec, diag, qmp::ExistingFile::replace));
  EXPECT_NE(diag.what.find("is a FIFO"), std::string::npos) << diag.what;
  EXPECT_EQ(mode_of(fifo), 0644u);
  EXPECT_FALSE(qmp::TranscriptWriter::create(dir_.string(), ec, diag, {}, qmp::ExistingFile::replace));
  EXPECT_NE(diag.what.find("is a directory"), std::string::npos) << diag.what;
}

TEST_F(TranscriptFileSafety, AnExistingFileIsKeptUnlessReplaceIsAsked) {
  const auto file = path("old.qmpt");
  put(file, "old transcript", 0644);
  EXPECT_FALSE(qmp::TranscriptWriter::create(file, ec, diag));
  EXPECT_EQ(ec, qmp::errc::invalid_argument);
  EXPECT_NE(diag.what.find("exists already"), std::string::npos) << diag.what;
  EXPECT_FALSE(qmp::write_transcript_file(file, {}, ec, diag));
  EXPECT_EQ(trace_test::read_file(file), "old transcript");
  EXPECT_EQ(mode_of(file), 0644u);
}

TEST_F(TranscriptFileSafety, ReplacingMakesANewPrivateFileAndLeavesOtherNamesOfTheOldOne) {
  const auto file = path("old.qmpt");
  const auto other_name = path("hard-link");
  put(file, "old transcript", 0644);
  ASSERT_EQ(::link(file.c_str(), other_name.c_str()), 0);
  auto writer = qmp::TranscriptWriter::create(file, ec, diag, {}, qmp::ExistingFile::replace);
  ASSERT_TRUE(writer) << diag.what;
  writer->on_message(qmp::Direction::from_qemu, 1, qmp::Clock::now(), kGreeting);
  EXPECT_FALSE(writer->close());
  EXPECT_EQ(mode_of(file), 0600u);
  auto t = qmp::read_transcript_file(file, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->entries.size(), 1u);
  EXPECT_EQ(trace_test::read_file(other_name), "old transcript");
  EXPECT_EQ(mode_of(other_name), 0644u);
}

TEST_F(TranscriptFileSafety, NothingSeenCreatesNoFileAndDestroysNone) {
  const auto fresh = path("fresh.qmpt");
  auto writer = qmp::TranscriptWriter::create(fresh, ec, diag);
  ASSERT_TRUE(writer) << diag.what;
  EXPECT_FALSE(writer->close());
  EXPECT_FALSE(writer->file_created());
  EXPECT_FALSE(std::filesystem::exists(fresh));

  const auto old = path("old.qmpt");
  put(old, "old transcript", 0640);
  writer = qmp::TranscriptWriter::create(old, ec, diag, {}, qmp::ExistingFile::replace);
  ASSERT_TRUE(writer) << diag.what;
  writer.reset();  // the session never connected
  EXPECT_EQ(trace_test::read_file(old), "old transcript");
  EXPECT_EQ(mode_of(old), 0640u);
}

TEST_F(TranscriptFileSafety, AFileThatAppearsWhileConnectingIsNotClobbered) {
  const auto file = path("race.qmpt");
  auto writer = qmp::TranscriptWriter::create(file, ec, diag);
  ASSERT_TRUE(writer) << diag.what;
  put(file, "someone else's", 0644);
  writer->on_message(qmp::Direction::from_qemu, 1, qmp::Clock::now(), kGreeting);
  EXPECT_TRUE(writer->close());
  EXPECT_NE(writer->error_text().find(file), std::string::npos) << writer->error_text();
  EXPECT_EQ(trace_test::read_file(file), "someone else's");
}

}  // namespace
