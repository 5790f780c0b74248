// Calendar times read from files: transcript headers ("started") and libvirt log timestamps. Dates that do not
// exist and years outside the accepted range are refused with the reason, never turned into a time by overflowing
// arithmetic.
#include "qmp/transcript.hpp"
#include "qmp/transcript_error.hpp"
#include "trace/libvirt_import.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

std::chrono::microseconds since_epoch(qmp::WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
}

struct BadTime {
  const char* text;
  const char* says;
};

TEST(WallTime, ImpossibleDatesAndYearsOutOfRangeSayWhy) {
  const BadTime cases[] = {
      {"9999-12-31T23:59:59Z", "year 9999 is not 1970 to 2200"},
      {"1677-01-01T00:00:00Z", "year 1677 is not 1970 to 2200"},
      {"2201-01-01T00:00:00Z", "year 2201 is not 1970 to 2200"},
      {"2026-13-01T00:00:00Z", "month 13 is not 1 to 12"},
      {"2026-00-01T00:00:00Z", "month 0 is not 1 to 12"},
      {"2026-02-29T00:00:00Z", "day 29 is not 1 to 28 (in 2026-02)"},
      {"2026-04-31T00:00:00Z", "day 31 is not 1 to 30 (in 2026-04)"},
      {"2026-01-00T00:00:00Z", "day 0 is not 1 to 31 (in 2026-01)"},
      {"2026-01-01T24:00:00Z", "hour 24 is not 0 to 23"},
      {"2026-01-01T00:60:00Z", "minute 60 is not 0 to 59"},
      {"2026-01-01T00:00:61Z", "second 61 is not 0 to 60"},
      {"2026-01-01 00:00:00Z", "not of the form"},
  };
  for (const auto& c : cases) {
    std::string why;
    EXPECT_FALSE(qmp::parse_wall_time(c.text, &why)) << c.text;
    EXPECT_NE(why.find(c.says), std::string::npos) << c.text << " -> " << why;
  }
}

TEST(WallTime, TheEndsOfTheRangeAndLeapDaysAreTimes) {
  const auto first = qmp::parse_wall_time("1970-01-01T00:00:00Z");
  ASSERT_TRUE(first);
  EXPECT_EQ(since_epoch(*first), 0us);
  const auto last = qmp::parse_wall_time("2200-12-31T23:59:59.999999Z");
  ASSERT_TRUE(last);
  EXPECT_EQ(qmp::format_wall_time(*last), "2200-12-31T23:59:59.999999Z");
  EXPECT_EQ(since_epoch(*last), 7289654399999999us);
  const auto leap = qmp::parse_wall_time("2024-02-29T12:00:00Z");
  ASSERT_TRUE(leap);
  EXPECT_EQ(qmp::format_wall_time(*leap), "2024-02-29T12:00:00.000000Z");
  // A leap second is the first second of the next minute.
  EXPECT_EQ(qmp::parse_wall_time("2016-12-31T23:59:60Z"), qmp::parse_wall_time("2017-01-01T00:00:00Z"));
}

TEST(WallTime, AHeaderStartedOutOfRangeIsRefusedNamingTheText) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(qmp::parse_header_line(R"({"qmp-transcript":1,"source":"qmpc","started":"9999-12-31T23:59:59Z"})",
                                      ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_header));
  EXPECT_NE(diag.what.find(R"("started" is "9999-12-31T23:59:59Z": year 9999 is not 1970 to 2200)"),
            std::string::npos)
      << diag.what;
  EXPECT_FALSE(qmp::parse_header_line(R"({"qmp-transcript":1,"source":"qmpc","started":20261125})", ec, diag));
  EXPECT_NE(diag.what.find(R"("started" is 20261125: not a string)"), std::string::npos) << diag.what;
}

TEST(WallTime, EntryTimesBeyondTheSteadyClocksRangeAreRefused) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  // Microseconds that would overflow the nanosecond steady clock when the entry becomes a message.
  EXPECT_FALSE(qmp::parse_entry_line(R"({"seq":1,"t_us":9223372036854775807,"dir":"to-qemu","msg":{}})", ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_entry));
  EXPECT_NE(diag.what.find(R"("t_us" is 9223372036854775807, expected microseconds from 0 to 9223372036854775)"),
            std::string::npos)
      << diag.what;
  auto last = qmp::parse_entry_line(R"({"seq":1,"t_us":9223372036854775,"dir":"to-qemu","msg":{"execute":"stop"}})",
                                    ec, diag);
  ASSERT_TRUE(last) << diag.what;
  EXPECT_TRUE(last->to_message());
}

TEST(WallTime, LibvirtTimestampsAreCheckedLikewise) {
  std::string why;
  EXPECT_FALSE(trace::parse_libvirt_time("9999-99-99 17:05:26.222+0000", &why));
  EXPECT_EQ(why, "year 9999 is not 1970 to 2200");
  EXPECT_FALSE(trace::parse_libvirt_time("2026-99-25 17:05:26.222+0000", &why));
  EXPECT_EQ(why, "month 99 is not 1 to 12");
  EXPECT_FALSE(trace::parse_libvirt_time("2026-11-25 17:05:26.222+9999", &why));
  EXPECT_EQ(why, "zone offset +9999 is not -2359 to +2359");
  const auto t = trace::parse_libvirt_time("2026-11-25 18:35:26.222+0130");
  ASSERT_TRUE(t);
  EXPECT_EQ(since_epoch(*t), 1795626326222000us);
}

TEST(WallTime, ALibvirtLineDatedOnNoRealDayFailsTheImportNamingTheLine) {
  const std::string log =
      "2026-11-25 17:05:26.222+0000: 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7f00 "
      "msg={\"execute\":\"stop\",\"id\":\"libvirt-1\"}\r\n fd=-1\n"
      "9999-99-99 17:05:26.223+0000: 9808: info : qemuMonitorSend:861 : QEMU_MONITOR_SEND_MSG: mon=0x7f00 "
      "msg={\"execute\":\"cont\",\"id\":\"libvirt-2\"}\r\n fd=-1\n";
  qmp::error_code ec;
  qmp::Diagnostics diag;
  EXPECT_FALSE(trace::import_libvirt_log(log, {}, ec, diag));
  EXPECT_EQ(ec, qmp::make_error_code(qmp::transcript_errc::bad_log));
  EXPECT_EQ(diag.what, "line 3: the timestamp '9999-99-99 17:05:26.223+0000' is no real time: year 9999 is not 1970 to "
                       "2200");
}

}  // namespace
