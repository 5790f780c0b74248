#include "qmp/codec.hpp"
#include "qmp/error.hpp"
#include "qmp/reply.hpp"

#include <gtest/gtest.h>

namespace {

qmp::Message decoded(std::string_view line) {
  auto d = qmp::decode_line(line, 1, {}, false);
  EXPECT_TRUE(d.message) << line;
  return std::move(*d.message);
}

TEST(Diagnostics, AnErrorReplyKeepsQemusClassAndDescApartFromQmpcsWords) {
  const auto [ec, reply] = qmp::reply_from_message(
      decoded(R"({"error":{"class":"DeviceNotFound","desc":"Device 'nope' not found"},"id":3})"));
  EXPECT_EQ(ec, qmp::errc::device_not_found);
  const qmp::Diagnostics& d = reply.diagnostics;
  EXPECT_TRUE(d.from_qemu());
  EXPECT_EQ(d.qmp_class, "DeviceNotFound");
  EXPECT_EQ(d.qmp_desc, "Device 'nope' not found");
  EXPECT_EQ(d.what, "");
  EXPECT_EQ(d.text(), "Device 'nope' not found");
  EXPECT_EQ(d.describe(ec), "DeviceNotFound: Device 'nope' not found");

  const auto [ok_ec, ok] = qmp::reply_from_message(decoded(R"({"return":{},"id":4})"));
  EXPECT_FALSE(ok_ec);
  EXPECT_FALSE(ok.diagnostics.from_qemu());
  EXPECT_EQ(ok.diagnostics.qmp_desc, "");
}

TEST(Diagnostics, DescribeSaysQmpcsWordsBeforeQemusAndFallsBackToTheCode) {
  qmp::Diagnostics d;
  const auto timeout = qmp::make_error_code(qmp::errc::timeout);
  EXPECT_EQ(d.describe(timeout), timeout.message());
  d.what = "no reply to 'stop' within 1 s";
  EXPECT_FALSE(d.from_qemu());
  EXPECT_EQ(d.text(), d.what);
  EXPECT_EQ(d.describe(timeout), "no reply to 'stop' within 1 s");
  d.qmp_class = "GenericError";
  d.qmp_desc = "Job 'job0' in state 'running' cannot accept command verb 'complete'";
  d.what = "job-complete refused";
  EXPECT_EQ(d.describe(qmp::make_error_code(qmp::errc::generic_error)),
            "job-complete refused: GenericError: Job 'job0' in state 'running' cannot accept command verb 'complete'");
}

}  // namespace
