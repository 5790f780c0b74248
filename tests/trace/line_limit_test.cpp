// Files are read a chunk at a time with a bound on the length of a line: a huge line costs at most the bound in
// memory and ends the read with an error naming the line and the limit.
#include "qmp/session.hpp"
#include "qmp/transcript_error.hpp"
#include "qmp/transcript_lines.hpp"
#include "qmp/transcript_reader.hpp"
#include "trace/json_object_splitter.hpp"
#include "trace/libvirt_import.hpp"

#include "scratch_dir.hpp"

#include <gtest/gtest.h>

namespace {

class LineLimit : public trace_test::ScratchDirTest {};

const std::string kHeader = R"({"qmp-transcript":1,"source":"qmpc","qemu":null})";

std::string entry(int seq, const std::string& padding = "") {
  return R"({"seq":)" + std::to_string(seq) + R"(,"t_us":0,"dir":"to-qemu","msg":{"execute":"stop")" +
         (padding.empty() ? "" : R"(,"arguments":{"x":")" + padding + "\"}") + "}}";
}

TEST_F(LineLimit, LinesComeWithTheirNumbersAndWhetherANewlineEndedThem) {
  std::vector<std::string> seen;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  ASSERT_TRUE(qmp::for_each_line(
      "a\r\n\nbc\nlast", 10,
      [&](const qmp::TextLine& l) {
        seen.push_back(std::to_string(l.number) + ":" + std::string(l.text) + (l.terminated ? "" : "$"));
        return true;
      },
      ec, diag));
  EXPECT_EQ(seen, (std::vector<std::string>{"1:a\r", "2:", "3:bc", "4:last$"}));
}

TEST_F(LineLimit, ALineOneByteOverTheLimitFailsNamingItAndTheLimit) {
  const std::string exact(100, 'x');
  const std::string path = write("lines.txt", "short\n" + exact + "\r\n" + exact + "y\nnever\n");
  std::size_t handled = 0;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::for_each_file_line(
      path, 100, [&](const qmp::TextLine&) { return ++handled, true; }, ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::line_too_long));
  EXPECT_EQ(diag.what, "line 3 is longer than the limit of 100 bytes");
  EXPECT_EQ(handled, 2u);  // exactly the limit (its '\r\n' not counted) is fine
}

TEST_F(LineLimit, AnEndlessLineFailsOnceTheLimitIsPassedWithoutReadingOn) {
  // /dev/zero never ends and has no newline: a reader holding whole lines would never return.
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::for_each_file_line(
      "/dev/zero", 1024 * 1024, [](const qmp::TextLine&) { return true; }, ec, diag));
  EXPECT_EQ(diag.what, "line 1 is longer than the limit of 1048576 bytes");
  qmp::TranscriptReadOptions o;
  o.max_line_bytes = 1024 * 1024;
  EXPECT_FALSE(qmp::read_transcript_file("/dev/zero", ec, diag, o));
  EXPECT_EQ(diag.what, "/dev/zero: line 1 is longer than the limit of 1048576 bytes");
}

TEST_F(LineLimit, UnreadableFilesSayWhy) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::read_transcript_file(dir_.string(), ec, diag));
  EXPECT_EQ(diag.what, "cannot read '" + dir_.string() + "': Is a directory");
  EXPECT_FALSE(qmp::read_transcript_file((dir_ / "missing.qmpt").string(), ec, diag));
  EXPECT_EQ(diag.what, "cannot open '" + (dir_ / "missing.qmpt").string() + "': No such file or directory");
}

TEST_F(LineLimit, TranscriptReadersTakeTheLimitAsAnOption) {
  const std::string text = kHeader + "\n" + entry(1) + "\n" + entry(2, std::string(200, 'p')) + "\n";
  const std::string path = write("big.qmpt", text);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  qmp::TranscriptReadOptions small;
  small.max_line_bytes = 200;
  EXPECT_FALSE(qmp::read_transcript_file(path, ec, diag, small));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::line_too_long));
  EXPECT_EQ(diag.what, path + ": line 3 is longer than the limit of 200 bytes");
  EXPECT_FALSE(qmp::parse_transcript(text, ec, diag, small));
  EXPECT_EQ(diag.what, "line 3 is longer than the limit of 200 bytes");
  auto t = qmp::read_transcript_file(path, ec, diag);  // the default
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->entries.size(), 2u);
}

TEST_F(LineLimit, AMessageAsLongAsASessionTakesReadsBackAndALineOverTheDefaultIsRefused) {
  qmp::TranscriptEntry e;
  e.seq = 1;
  e.json = R"({"return":")" + std::string(qmp::SessionOptions{}.max_message_size - 13, 'p') + "\"}";
  ASSERT_EQ(e.json.size(), qmp::SessionOptions{}.max_message_size);
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const std::string path = write("max.qmpt", kHeader + "\n" + qmp::format_entry_line(e) + "\n");
  EXPECT_TRUE(qmp::read_transcript_file(path, ec, diag)) << diag.what;
  const std::string huge = write("huge.qmpt", kHeader + "\n" + entry(1, std::string(qmp::kDefaultMaxLineBytes, 'p')) + "\n");
  EXPECT_FALSE(qmp::read_transcript_file(huge, ec, diag));
  EXPECT_EQ(diag.what, huge + ": line 2 is longer than the limit of 10489856 bytes");
}

TEST_F(LineLimit, ACutShortRecordingIsStillReadUpToItsLastWholeLine) {
  const std::string path = write("cut.qmpt", kHeader + "\n" + entry(1) + "\n" + R"({"seq":2,"t_us":5,"di)");
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(path, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_TRUE(t->truncated);
  EXPECT_EQ(t->entries.size(), 1u);
}

const std::string kSend =
    "2026-11-25 17:05:26.222+0000: 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7f00 msg=";

TEST_F(LineLimit, LibvirtLogLinesAndEntriesAreBoundToo) {
  trace::LibvirtImportOptions o;
  o.max_line_bytes = 300;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  const std::string line_path =
      write("long-line.log", kSend + "{\"execute\":\"stop\"}\r\n fd=-1\n" + kSend + std::string(300, 'x') + "\n");
  EXPECT_FALSE(trace::import_libvirt_log_file(line_path, o, ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::line_too_long));
  EXPECT_EQ(diag.what, line_path + ": line 3 is longer than the limit of 300 bytes");
  // An entry of short lines that together pass the limit (a logged buffer full of newlines).
  std::string entry_text = kSend + "{\"execute\":\"stop\"}";
  for (int i = 0; i < 40; ++i) entry_text += "\n continued";
  const std::string entry_path = write("long-entry.log", entry_text + "\n");
  EXPECT_FALSE(trace::import_libvirt_log_file(entry_path, o, ec, diag));
  EXPECT_EQ(diag.what, entry_path + ": line 18: the log entry that starts on line 1 is longer than the limit of 300 "
                                    "bytes");
  EXPECT_FALSE(trace::import_libvirt_log(entry_text, o, ec, diag));
  EXPECT_EQ(diag.what, "line 18: the log entry that starts on line 1 is longer than the limit of 300 bytes");
}

TEST_F(LineLimit, AMessageThatNeverEndsAcrossLibvirtEntriesIsDroppedWithAWarning) {
  const std::string write_entry =
      "2026-11-25 17:05:26.222+0000: 9809: info : qemuMonitorIOWrite:450 : QEMU_MONITOR_IO_WRITE: mon=0x7f00 buf=";
  std::string log = write_entry + "{\"execute\":\"qmp_capabilities\"}\r\n len=33 ret=33 errno=0\n";
  for (int i = 0; i < 10; ++i) log += write_entry + "{\"execute\":\"" + std::string(100, 'a') + " len=100 ret=100 errno=0\n";
  trace::LibvirtImportOptions o;
  o.max_line_bytes = 400;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto r = trace::import_libvirt_log(log, o, ec, diag);
  ASSERT_TRUE(r) << diag.what;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].transcript.entries.size(), 1u);
  bool warned = false;
  for (const auto& w : (*r)[0].warnings) warned |= w.find("longer than the limit of 400 bytes were skipped") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST_F(LineLimit, TheSplitterDropsAnObjectGrowingPastItsLimit) {
  trace::JsonObjectSplitter s(10);
  std::vector<std::string> out;
  s.feed(R"({"a":1} {"b":"0123456789")", out);
  s.feed(R"(} {"c":2})", out);
  EXPECT_EQ(out, (std::vector<std::string>{R"({"a":1})", R"({"c":2})"}));
  EXPECT_EQ(s.oversized(), 1u);
  EXPECT_FALSE(s.in_object());
}

}  // namespace
