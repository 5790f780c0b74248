#include "qmp/codec.hpp"

#include <gtest/gtest.h>

namespace {

qmp::Decoded decode(std::string_view s) { return qmp::decode_line(s, 7, qmp::Clock::now()); }

TEST(Codec, ClassifiesEachServerMessageKind) {
  EXPECT_EQ(decode(R"({"QMP": {"version": {}, "capabilities": []}})").message->kind(), qmp::MessageKind::greeting);
  EXPECT_EQ(decode(R"({"return": {}, "id": 3})").message->kind(), qmp::MessageKind::reply);
  EXPECT_EQ(decode(R"({"error": {"class": "GenericError", "desc": "x"}})").message->kind(),
            qmp::MessageKind::error_reply);
  EXPECT_EQ(decode(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})").message->kind(),
            qmp::MessageKind::event);
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

TEST(Codec, MalformedJsonNamesTheOffsetAndShowsAnExcerpt) {
  auto d = decode(R"({"return": {}, "id" 3})");
  ASSERT_FALSE(d.message);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->reason, qmp::DecodeError::Reason::malformed_json);
  EXPECT_EQ(d.error->offset, 20u);
  EXPECT_NE(d.error->what.find("offset 20"), std::string::npos) << d.error->what;
  EXPECT_NE(d.error->what.find("\"id\" 3"), std::string::npos) << d.error->what;
}

TEST(Codec, ControlBytesInExcerptsArePrintable) {
  auto d = decode(std::string("{\"a\":\x01}"));
  ASSERT_TRUE(d.error);
  EXPECT_NE(d.error->what.find("\\x01"), std::string::npos) << d.error->what;
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
