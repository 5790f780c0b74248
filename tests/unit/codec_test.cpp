#include "qmp/codec.hpp"

#include "qmp/json.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

qmp::Decoded decode(std::string_view s) { return qmp::decode_line(s, 7, qmp::Clock::now()); }

TEST(Codec, ClassifiesEachServerMessageKind) {
  EXPECT_EQ(decode(R"({"QMP": {"version": {}, "capabilities": []}})").message->kind(), qmp::MessageKind::greeting);
  EXPECT_EQ(decode(R"({"return": {}, "id": 3})").message->kind(), qmp::MessageKind::reply);
  EXPECT_EQ(decode(R"({"error": {"class": "GenericError", "desc": "x"}})").message->kind(),
            qmp::MessageKind::error_reply);
  EXPECT_EQ(decode(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})").message->kind(),
            qmp::MessageKind::event);
}

TEST(Codec, TheMemberThatDecidesTheKindWinsWhateverTheOrder) {
  const auto kind = [](std::string_view s) { return decode(s).message->kind(); };
  EXPECT_EQ(kind(R"({"return": 1, "error": {}, "QMP": {}, "event": "STOP"})"), qmp::MessageKind::event);
  EXPECT_EQ(kind(R"({"QMP": {}, "error": {}, "return": 1})"), qmp::MessageKind::reply);
  EXPECT_EQ(kind(R"({"QMP": {}, "error": {"class": "C", "desc": "d"}})"), qmp::MessageKind::error_reply);
  EXPECT_EQ(kind(R"({"id": 1, "QMP": {}})"), qmp::MessageKind::greeting);
  EXPECT_EQ(qmp::decode_line(R"({"id": 1, "exec-oob": "x", "QMP": {}})", 1, {}, true).message->kind(),
            qmp::MessageKind::greeting);
  // Names of the same length as a deciding member decide nothing.
  EXPECT_EQ(decode(R"({"evenT": "X", "retur": 1, "QMp": {}})").error->reason,
            qmp::DecodeError::Reason::unknown_shape);
}

TEST(Codec, AnEventIsNamedByItsFirstEventMemberAndANameThatIsNoStringIsEmpty) {
  const auto twice = *decode(R"({"event": "FIRST", "data": {}, "event": "SECOND"})").message;
  EXPECT_EQ(twice.event_name(), "FIRST");
  const auto number = *decode(R"({"event": 5})").message;
  EXPECT_EQ(number.kind(), qmp::MessageKind::event);
  EXPECT_EQ(number.event_name(), "");
  // A message made from a document rather than read names its event the same way.
  const qmp::Message made(1, {}, qmp::MessageKind::event, twice.document());
  EXPECT_EQ(made.event_name(), "FIRST");
  EXPECT_EQ(qmp::Message(1, {}, qmp::MessageKind::reply, twice.document()).event_name(), "");
}

TEST(Codec, DecodeMessageGivesTheSameMessageOrTheSameErrorAsDecodeLine) {
  for (const std::string_view line : {R"({"event": "STOP", "data": {"a": 1}})", R"({"return": {}, "id": 4})",
                                      R"({"return": )", "[1]", R"({"x": 1})"}) {
    SCOPED_TRACE(std::string(line));
    qmp::DecodeError error{};
    const qmp::Message m = qmp::decode_message(line, 9, {}, error);
    const qmp::Decoded d = qmp::decode_line(line, 9, {});
    ASSERT_EQ(m.valid(), d.message.has_value());
    if (m.valid()) {
      EXPECT_EQ(m.kind(), d.message->kind());
      EXPECT_EQ(m.text(), d.message->text());
      EXPECT_EQ(m.event_name(), d.message->event_name());
    } else {
      EXPECT_EQ(error.reason, d.error->reason);
      EXPECT_EQ(error.what, d.error->what);
    }
  }
}

TEST(Codec, ExposesIdsEventNamesTimestampsAndErrors) {
  auto ev = *decode(R"({"timestamp": {"seconds": 1795626326, "microseconds": 226244}, "event": "JOB_STATUS_CHANGE",)"
                    R"( "data": {"status": "created", "id": "job0"}})")
                 .message;
  EXPECT_EQ(ev.seq(), 7u);
  EXPECT_EQ(ev.event_name(), "JOB_STATUS_CHANGE");
  EXPECT_EQ(qmp::json::get_string(*ev.data(), "status"), "created");
  EXPECT_EQ(ev.timestamp_us(), 1795626326226244);

  auto rep = *decode(R"({"return": {"status": "running"}, "id": 12})").message;
  EXPECT_EQ(rep.numeric_id(), 12u);
  EXPECT_TRUE(rep.result()->IsObject());

  auto err = *decode(R"({"id": "x1", "error": {"class": "CommandNotFound", "desc": "The command no has not been found"}})")
                  .message;
  EXPECT_EQ(err.error_class(), "CommandNotFound");
  EXPECT_EQ(err.error_desc(), "The command no has not been found");
  EXPECT_FALSE(err.numeric_id().has_value());
  ASSERT_NE(err.id(), nullptr);
}

TEST(Codec, ATimestampBeyondWhat64BitsHoldCountsAsAbsent) {
  EXPECT_EQ(decode(R"({"event": "STOP", "timestamp": {"seconds": 9223372036854775807, "microseconds": 1}})")
                .message->timestamp_us(),
            0);
  EXPECT_EQ(decode(R"({"event": "STOP", "timestamp": {"seconds": 9223372036854, "microseconds": 9223372036854775807}})")
                .message->timestamp_us(),
            0);
}

TEST(Codec, MalformedJsonNamesTheOffsetAndShowsAnExcerpt) {
  auto d = decode(R"({"return": {}, "id" 3})");
  ASSERT_FALSE(d.message);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->reason, qmp::DecodeError::Reason::malformed_json);
  EXPECT_EQ(d.error->offset, 20u);
  EXPECT_NE(d.error->what.find("offset 20"), std::string::npos) << d.error->what;
  EXPECT_NE(d.error->what.find("\"id\" 3"), std::string::npos) << d.error->what;
}

TEST(Codec, ShortAndLongLinesReportTheSameMistakeTheSameWay) {
  // Lines shorter than kMaxDepth bytes are parsed without the depth count, longer ones with it: a mistake reads
  // the same either way, at the same place after the padding (a string member, short or long).
  for (const char* mistake : {R"("id" 3})", R"("id": 3,})", R"("id": tru})", "\"id\": \"\x01\"}"}) {
    std::vector<qmp::DecodeError> errors;
    for (const std::size_t pad : {std::size_t{10}, std::size_t{qmp::json::kMaxDepth} + 10}) {
      const std::string line = R"({"return": ")" + std::string(pad, 'p') + R"(", )" + mistake;
      ASSERT_EQ(line.size() < qmp::json::kMaxDepth, pad == 10) << line.size();
      auto d = decode(line);
      ASSERT_FALSE(d.message) << mistake;
      ASSERT_TRUE(d.error) << mistake;
      EXPECT_EQ(d.error->reason, qmp::DecodeError::Reason::malformed_json);
      errors.push_back(*d.error);
    }
    // The same message, apart from the offset and the excerpt.
    const auto cause = [](const std::string& what) { return what.substr(0, what.find(" at offset ")); };
    EXPECT_EQ(cause(errors[0].what), cause(errors[1].what)) << mistake;
    EXPECT_EQ(errors[1].offset - errors[0].offset, qmp::json::kMaxDepth) << mistake;
  }
}

TEST(Codec, ControlBytesInExcerptsArePrintable) {
  auto d = decode(std::string("{\"a\":\x01}"));
  ASSERT_TRUE(d.error);
  EXPECT_NE(d.error->what.find("\\x01"), std::string::npos) << d.error->what;
}

TEST(Codec, NestingDeeperThanTheLimitIsRefusedWithoutRecursingIntoIt) {
  // 200,000 levels would overflow the stack of a recursive parser; the limit stops it at kMaxDepth + 1.
  for (const std::string& line : {std::string(200000, '['), "{\"return\": " + repeat("{\"a\": ", 200000)}) {
    auto d = decode(line);
    ASSERT_FALSE(d.message);
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->reason, qmp::DecodeError::Reason::malformed_json);
    EXPECT_NE(d.error->what.find("nested deeper than 1000 levels"), std::string::npos) << d.error->what;
  }
}

TEST(Codec, NestingUpToTheLimitIsAccepted) {
  // The object itself is the first level.
  const auto nested = [](unsigned depth) {
    return "{\"return\": " + std::string(depth - 1, '[') + std::string(depth - 1, ']') + ", \"id\": 1}";
  };
  EXPECT_TRUE(decode(nested(qmp::json::kMaxDepth)).message);
  auto d = decode(nested(qmp::json::kMaxDepth + 1));
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->offset, qmp::json::kMaxDepth + 11);
}

TEST(Codec, DocumentMemoryIsAlignedWhateverTheLineLength) {
  // The DOM pool shares one allocation with the line's text: it must start aligned for every text length.
  for (std::size_t pad = 0; pad < 2 * alignof(std::max_align_t); ++pad) {
    const std::string line = R"({"event": "X", "data": {"a": ")" + std::string(pad, 'p') + R"("}})";
    auto d = decode(line);
    ASSERT_TRUE(d.message) << pad;
    const auto* data = d.message->data();
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&*data->MemberBegin()) % alignof(std::uint64_t), 0u) << pad;
  }
}

TEST(Json, ParseObjectNamesTheNestingLimit) {
  std::string error;
  EXPECT_FALSE(qmp::json::parse_object(R"({"a": )" + std::string(200000, '['), &error));
  EXPECT_NE(error.find("nested deeper than 1000 levels"), std::string::npos) << error;
  EXPECT_NE(error.find("at offset 1006"), std::string::npos) << error;
  EXPECT_TRUE(qmp::json::parse_object(R"({"a": [[1], {"b": [2]}]})"));
  EXPECT_TRUE(qmp::json::check_syntax("[1, 2]") == std::nullopt);
  EXPECT_TRUE(qmp::json::check_syntax(std::string(5000, '[')).has_value());
}

TEST(Codec, NonObjectsAndUnknownShapesAreRejected) {
  EXPECT_EQ(decode("[1,2,3]").error->reason, qmp::DecodeError::Reason::not_an_object);
  EXPECT_EQ(decode(R"({"hello": 1})").error->reason, qmp::DecodeError::Reason::unknown_shape);
  EXPECT_EQ(decode(R"({"execute": "quit"})").error->reason, qmp::DecodeError::Reason::unknown_shape);
  EXPECT_EQ(qmp::decode_line(R"({"execute": "quit"})", 1, {}, true).message->kind(), qmp::MessageKind::command);
}

TEST(Codec, EncodesCompactCommandsWithShortIds) {
  EXPECT_EQ(qmp::encode_command("query-status", "", 1), "{\"execute\":\"query-status\",\"id\":1}\n");
  EXPECT_EQ(qmp::encode_command("block-job-complete", R"({"device":"job0"})", 42),
            "{\"execute\":\"block-job-complete\",\"arguments\":{\"device\":\"job0\"},\"id\":42}\n");
  EXPECT_EQ(qmp::encode_command("migrate-recover", "", 3, true), "{\"exec-oob\":\"migrate-recover\",\"id\":3}\n");
  EXPECT_EQ(qmp::encode_command("quit", "", std::nullopt), "{\"execute\":\"quit\"}\n");
}

TEST(Codec, EncodedNamesAreEscaped) {
  EXPECT_EQ(qmp::encode_command("a\"b\n", "", 1), "{\"execute\":\"a\\\"b\\n\",\"id\":1}\n");
}

}  // namespace
