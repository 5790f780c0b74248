// What a hostile monitor sends cannot reach the terminal raw, nor make qmpc's JSON output invalid: an error desc,
// a return value, an event and the trace log, each with "\e]0;pwned\a" (retitles a terminal) and invalid UTF-8.
#include "cli_process.hpp"
#include "fake_monitor.hpp"

#include "qmp/printable.hpp"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace {

using namespace qmpc_cli_test;

// JSON-escaped ESC and BEL, then raw bytes that are not UTF-8.
constexpr const char* kHostile = R"(\u001b]0;pwned\u0007 )" "\xff\xfe\xc0\xaf";

// No control character but newlines, and valid UTF-8.
void expect_terminal_safe(const std::string& text) {
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_EQ(qmp::printable(text, qmp::Newlines::keep), text) << "raw control or invalid UTF-8 in: " << text;
}

void expect_valid_json_lines(const std::string& out) {
  ASSERT_FALSE(out.empty());
  std::size_t start = 0;
  while (start < out.size()) {
    const auto end = out.find('\n', start);
    const std::string line = out.substr(start, end - start);
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
    EXPECT_FALSE(d.HasParseError()) << "not valid JSON: " << line;
    start = end == std::string::npos ? out.size() : end + 1;
  }
}

TEST(CliTerminal, AnErrorDescWithControlsAndInvalidUtf8IsEscaped) {
  ScratchDir dir;
  const auto path = dir.file("hostile.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.handshake()
        .expect("query-status", std::string(R"({"id": $ID, "error": {"class": "Generic\u001bError", "desc": ")") +
                                    kHostile + R"("}})")
        .ignore_forever();
  });
  auto o = run_qmpc({"-s", path, "exec", "query-status", "--no-validate"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  expect_terminal_safe(o.err);
  EXPECT_NE(o.err.find("qmpc: Generic\\x1bError: \\x1b]0;pwned\\x07 \\xff\\xfe\\xc0\\xaf"), std::string::npos)
      << o.err;
}

TEST(CliTerminal, ReturnValuesAndEventsStayValidJson) {
  ScratchDir dir;
  const auto path = dir.file("hostile.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.handshake()
        .expect("qom-get", std::string(R"({"return": {"name": ")") + kHostile + R"(", "c1": ")" "\xc2\x9b" R"("}, "id": $ID})")
        .ignore_forever();
  });
  auto o = run_qmpc({"-s", path, "--log-level", "trace", "exec", "--no-validate", "qom-get", "path=/", "property=type"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  expect_valid_json_lines(o.out);
  expect_terminal_safe(o.out);
  expect_terminal_safe(o.err);  // the trace log shows every message received
  EXPECT_NE(o.err.find("qmp recv"), std::string::npos) << o.err;

  const auto events = dir.file("events.sock");
  FakeMonitor fake_events(events, [](qmpc_test::ScriptedServer& s) {
    s.handshake().send_event("DEVICE_DELETED", std::string(R"({"device": ")") + kHostile + R"("})").ignore_forever();
  });
  auto e = run_qmpc({"-s", events, "events", "--count", "1"});
  EXPECT_EQ(e.exit_code, 0) << e.err;
  expect_valid_json_lines(e.out);
  expect_terminal_safe(e.out);
}

}  // namespace
