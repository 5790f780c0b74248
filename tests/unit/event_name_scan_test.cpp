#include "qmp/codec.hpp"
#include "qmp/event_name_scan.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace {

using qmp::scan_event_name;

TEST(ScanEventName, ReadsTheNameOfQemusEventsPastTheTimestamp) {
  EXPECT_EQ(scan_event_name(R"({"timestamp": {"seconds": 1700000000, "microseconds": 5}, "event": "BLOCK_JOB_READY", )"
                            R"("data": {"device": "job0", "len": 1, "offset": 1, "speed": 0, "type": "mirror"}})"),
            "BLOCK_JOB_READY");
  EXPECT_EQ(scan_event_name(R"({"event":"STOP"})"), "STOP");
  EXPECT_EQ(scan_event_name(" \t{ \"data\" : [1, {\"event\": \"INNER\"}, \"]}\"] , \"event\" :\r\n\"RESUME\" }"), "RESUME");
  EXPECT_EQ(scan_event_name(R"({"timestamp": {"note": "a \"quoted\" } brace"}, "event": "X"})"), "X");
  EXPECT_EQ(scan_event_name(R"({"a": true, "b": null, "c": -1.5e3, "event": ""})"), "");
}

TEST(ScanEventName, NeverReadsAnEventFromANestedMember) {
  EXPECT_EQ(scan_event_name(R"({"data": {"event": "INNER"}})"), std::nullopt);
  EXPECT_EQ(scan_event_name(R"({"data": ["event", "INNER"]})"), std::nullopt);
}

TEST(ScanEventName, LeavesEverythingUnsureToTheFullDecode) {
  EXPECT_EQ(scan_event_name(R"({"return": {}, "id": 1, "event": "X"})"), std::nullopt);  // a reply's key first
  EXPECT_EQ(scan_event_name(R"({"error": {"class": "GenericError", "desc": "no"}})"), std::nullopt);
  EXPECT_EQ(scan_event_name(R"({"id": 3, "event": "X"})"), std::nullopt);
  EXPECT_EQ(scan_event_name(R"({"QMP": {"version": {}, "capabilities": []}})"), std::nullopt);
  EXPECT_EQ(scan_event_name(R"({"\u0065vent": "X"})"), std::nullopt);   // an escaped key
  EXPECT_EQ(scan_event_name(R"({"event": "A\u0042"})"), std::nullopt);  // an escaped name
  EXPECT_EQ(scan_event_name(R"({"event": 7})"), std::nullopt);          // not a string
  EXPECT_EQ(scan_event_name(R"(["event", "X"])"), std::nullopt);
  EXPECT_EQ(scan_event_name(R"({})"), std::nullopt);
  EXPECT_EQ(scan_event_name(""), std::nullopt);
  EXPECT_EQ(scan_event_name(R"({"timestamp" {}, "event": "X"})"), std::nullopt);  // no colon
  EXPECT_EQ(scan_event_name(R"({"timestamp": {} "event": "X"})"), std::nullopt);  // no comma
  EXPECT_EQ(scan_event_name(R"({"timestamp": , "event": "X"})"), std::nullopt);   // no value
}

TEST(ScanEventName, EveryPrefixOfAnEventLineGivesNothingOrTheName) {
  const std::string line =
      R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "JOB_STATUS_CHANGE", "data": {"status": "ready", "id": "job0"}})";
  const std::size_t name_end = line.find("\", \"data\"") + 1;
  for (std::size_t n = 0; n <= line.size(); ++n) {
    const auto name = scan_event_name(std::string_view(line).substr(0, n));
    if (n < name_end) {
      EXPECT_EQ(name, std::nullopt) << n;
    } else {
      EXPECT_EQ(name, "JOB_STATUS_CHANGE") << n;
    }
  }
}

// QEMU's own layout is read by a shortcut; a space after the brace sends the same line through the general scan:
// both give the same answer.
TEST(ScanEventName, QemusLayoutAndTheGeneralScanAgree) {
  const std::string names[] = {R"("BLOCK_JOB_READY")", R"("")", R"("A\"B")", R"("A\\")", R"("A\u0042")",
                               R"("unterminated)", R"(7)", R"("X" )"};
  const std::string stamps[] = {R"({"seconds": 1700000000, "microseconds": 5})", R"({"seconds": -1, "microseconds": 5})",
                                R"({"seconds": 1, "microseconds": 2, "x": 3})", R"({"seconds": 1,"microseconds": 2})"};
  int shortcut = 0;
  for (const auto& stamp : stamps) {
    for (const auto& name : names) {
      const std::string tail = R"("timestamp": )" + stamp + R"(, "event": )" + name + R"(, "data": {}})";
      const std::string in_layout = "{" + tail, spaced = "{ " + tail;
      const auto direct = scan_event_name(in_layout);
      const auto general = scan_event_name(spaced);
      EXPECT_EQ(direct, general) << tail;
      shortcut += stamp == stamps[0] ? 1 : 0;
    }
  }
  EXPECT_EQ(scan_event_name(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "A\"B"})"), std::nullopt);
  EXPECT_EQ(scan_event_name(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "AB"})"), "AB");
  EXPECT_GT(shortcut, 0);
}

// What the session relies on: a name read by the scan is the name the full decode finds.
TEST(ScanEventName, AgreesWithTheDecoderWheneverBothAnswer) {
  const char* lines[] = {
      R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "A", "data": {}})",
      R"({"event": "A", "event": "B"})",
      R"({"data": {"event": "C"}, "event": "D", "return": {}})",
      R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "A", "data": {"x": "\u00e9\n"}})",
      R"({"timestamp": [[[{"}": "{"}]]], "event": "E"})",
  };
  for (const char* l : lines) {
    const auto name = scan_event_name(l);
    ASSERT_TRUE(name) << l;
    const auto d = qmp::decode_line(l, 1, {});
    ASSERT_TRUE(d.message) << l;
    EXPECT_EQ(d.message->kind(), qmp::MessageKind::event) << l;
    EXPECT_EQ(d.message->event_name(), *name) << l;
  }
}

}  // namespace
