#include "qmp/address.hpp"
#include "qmp/codec.hpp"
#include "qmp/greeting.hpp"
#include "qmp/redact.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Address, ParsesEachForm) {
  auto a = qmp::Address::parse("/run/qmp.sock");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, qmp::Address::Kind::unix_path);
  EXPECT_EQ(a->path, "/run/qmp.sock");
  a = qmp::Address::parse("unix:/tmp/x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->path, "/tmp/x");
  EXPECT_EQ(a->to_string(), "unix:/tmp/x");
  a = qmp::Address::parse("tcp:127.0.0.1:4444");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, qmp::Address::Kind::tcp);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 4444);
  a = qmp::Address::parse("tcp:[::1]:5");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->to_string(), "tcp:[::1]:5");
}

TEST(Address, RejectsWhatIsNotAnAddressWithAReason) {
  std::string why;
  EXPECT_FALSE(qmp::Address::parse("tcp:localhost", &why));
  EXPECT_NE(why.find("tcp:HOST:PORT"), std::string::npos) << why;
  EXPECT_FALSE(qmp::Address::parse("tcp:localhost:99999", &why));
  EXPECT_NE(why.find("99999"), std::string::npos) << why;
  EXPECT_FALSE(qmp::Address::parse("unix:", &why));
  EXPECT_FALSE(qmp::Address::parse("", &why));
}

TEST(Greeting, ParsesQemu72Greeting) {
  auto m = *qmp::decode_line(R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, )"
                             R"("package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}})",
                             1, {})
                .message;
  auto g = qmp::Greeting::from_message(m);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->version(), "7.2.22");
  EXPECT_EQ(g->package, "Debian 1:7.2+dfsg-7+deb12u18+b3");
  EXPECT_TRUE(g->offers("oob"));
  EXPECT_FALSE(g->offers("other"));
}

TEST(Greeting, RejectsAReplyAsGreeting) {
  auto m = *qmp::decode_line(R"({"return": {}})", 1, {}).message;
  std::string why;
  EXPECT_FALSE(qmp::Greeting::from_message(m, &why));
  EXPECT_NE(why.find("not a QMP greeting"), std::string::npos);
}

TEST(Redact, SecretObjectDataAndPasswordsAreHidden) {
  const std::string in =
      R"({"execute":"object-add","arguments":{"qom-type":"secret","id":"s0","data":"hunter2"},"id":4})";
  const std::string out = qmp::redact(in);
  EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  EXPECT_NE(out.find("<redacted>"), std::string::npos);
  EXPECT_NE(out.find("\"s0\""), std::string::npos);

  const std::string nested = R"({"execute":"blockdev-add","arguments":{"driver":"luks","key-secret":"k","file":)"
                             R"({"driver":"nbd","tls-creds":"x","password":"pw"}},"id":5})";
  const std::string out2 = qmp::redact(nested);
  EXPECT_EQ(out2.find("\"pw\""), std::string::npos) << out2;
  EXPECT_EQ(out2.find("\"k\""), std::string::npos) << out2;
}

TEST(Redact, OrdinaryMessagesAreUntouched) {
  const std::string in = R"({"execute":"query-status","id":1})";
  EXPECT_FALSE(qmp::may_hold_secret(in));
  EXPECT_EQ(qmp::redact(in), in);
  const std::string data = R"({"execute":"object-add","arguments":{"qom-type":"memory-backend-ram","data":"x"}})";
  EXPECT_EQ(qmp::redact(data), data);
}

}  // namespace

TEST(Redact, DeeplyNestedTextIsLeftAsItIsWithoutRecursing) {
  const std::string deep = R"({"password": )" + std::string(200000, '[');
  EXPECT_EQ(qmp::redact(deep), deep);
}
