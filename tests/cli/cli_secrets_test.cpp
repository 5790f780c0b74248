// Secrets sent through qmpc stay out of the trace log and the transcript alike (docs/architecture.md, "Redaction
// policy"); the fake monitor plays QEMU.
#include "cli_process.hpp"
#include "fake_monitor.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc_cli_test;

TEST(CliSecrets, HmpSecretsAreRedactedInTheTraceLogAndTheTranscript) {
  ScratchDir dir;
  const auto path = dir.file("qmp.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.handshake()
        .expect("human-monitor-command", R"({"return": "", "id": $ID})")
        .ignore_forever();
  });
  const auto trace = dir.file("run.qmpt");
  auto o = run_qmpc({"-s", path, "--log-level", "trace", "--trace", trace, "exec", "--no-validate", "human-monitor-command",
                     "command-line=object_add secret,id=s1,data=hunter2"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err.find("hunter2"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("data=<redacted>"), std::string::npos) << o.err;
  const std::string text = read_file(trace);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("data=<redacted>"), std::string::npos) << text;
}

}  // namespace
