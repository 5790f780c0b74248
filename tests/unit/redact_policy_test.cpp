// The redaction policy (docs/architecture.md): each kind of secret hidden, and may_hold_secret() true for each.
#include "qmp/redact.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

// `in` redacted: `secret` is gone, "<redacted>" is there, `kept` is still there.
void expect_hidden(const std::string& in, const std::string& secret, const std::string& kept) {
  EXPECT_TRUE(qmp::may_hold_secret(in)) << in;
  const std::string out = qmp::redact(in);
  EXPECT_EQ(out.find(secret), std::string::npos) << out;
  EXPECT_NE(out.find("<redacted>"), std::string::npos) << out;
  EXPECT_NE(out.find(kept), std::string::npos) << out;
}

std::string hmp(const std::string& line) {
  return R"({"execute":"human-monitor-command","arguments":{"command-line":")" + line + R"("},"id":3})";
}

TEST(RedactPolicy, HmpCommandLines) {
  expect_hidden(hmp("object_add secret,id=s1,data=hunter2"), "hunter2", "id=s1");
  expect_hidden(hmp("object_add secret,id=s1,data=hun,,ter2,format=raw"), "ter2", "format=raw");
  expect_hidden(hmp("set_password vnc hunter2"), "hunter2", "set_password vnc");
  expect_hidden(hmp("set_password spice hunter2 keep"), "hunter2", "keep");
  expect_hidden(hmp("set_password -d vnc0 vnc hunter2"), "hunter2", "vnc0");
  expect_hidden(hmp("change vnc password hunter2"), "hunter2", "change vnc password");
  expect_hidden(hmp("drive_add 0 if=none,file=rbd:pool/img:id=admin:key=AQBsecret==:conf=/etc/ceph.conf"),
                "AQBsecret", ":conf=/etc/ceph.conf");
  const std::string plain = hmp("info block");
  EXPECT_EQ(qmp::redact(plain), plain);
}

TEST(RedactPolicy, QomSetOfDataOrPassword) {
  expect_hidden(R"({"execute":"qom-set","arguments":{"path":"/objects/s1","property":"data","value":"hunter2"}})",
                "hunter2", "/objects/s1");
  expect_hidden(R"({"execute":"qom-set","arguments":{"path":"/objects/v","property":"password","value":"pw9"}})",
                "pw9", "/objects/v");
  const std::string other = R"({"execute":"qom-set","arguments":{"path":"/m","property":"size","value":"1G"}})";
  EXPECT_EQ(qmp::redact(other), other);
}

TEST(RedactPolicy, NestedPropsOfASecretObject) {
  expect_hidden(R"({"execute":"object-add","arguments":{"qom-type":"secret","id":"s2","props":{"data":"hunter2","format":"raw"}}})",
                "hunter2", "\"format\":\"raw\"");
}

TEST(RedactPolicy, UrlCredentialsAnywhereInAString) {
  expect_hidden(R"({"execute":"blockdev-add","arguments":{"driver":"https","url":"https://user:pw9@example.com/disk.img"}})",
                "pw9", "https://user:<redacted>@example.com/disk.img");
  expect_hidden(R"({"return":[{"file":"json:{\"url\": \"http://u:pw9@h/x\"}"}]})", "pw9", "http://u:<redacted>@h/x");
  const std::string no_password = R"({"return":{"file":"http://user@example.com/x","other":"a://b"}})";
  EXPECT_EQ(qmp::redact(no_password), no_password);
}

TEST(RedactPolicy, CredentialMembersOfRbdSshCurlOptions) {
  expect_hidden(R"({"execute":"blockdev-add","arguments":{"driver":"rbd","pool":"p","image":"i","user":"admin","key":"AQBsecret"}})",
                "AQBsecret", "\"user\":\"admin\"");
  expect_hidden(R"({"execute":"blockdev-add","arguments":{"driver":"https","url":"https://h/x","password-secret":"sec0"}})",
                "sec0", "https://h/x");
  expect_hidden(R"({"execute":"blockdev-add","arguments":{"driver":"rbd","filename":"rbd:pool/img:id=admin:key=AQBsecret"}})",
                "AQBsecret", "id=admin");
  // "key" elsewhere (input-send-event) is no credential.
  const std::string keys = R"({"execute":"input-send-event","arguments":{"events":[{"type":"key","data":{"down":true,"key":{"type":"qcode","data":"a"}}}]}})";
  EXPECT_EQ(qmp::redact(keys), keys);
}

TEST(RedactPolicy, EscapedLettersDoNotHideASecretFromThePreCheck) {
  // JSON lets any letter be written as \uXXXX: "p\u0061ssword" is "password".
  expect_hidden(R"({"execute":"x","arguments":{"p\u0061ssword":"hunter2"}})", "hunter2", "\"execute\":\"x\"");
}

}  // namespace
