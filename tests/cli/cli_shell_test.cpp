// qmpc shell with standard input not a terminal, against real QEMU: the lines of a file or a pipe, one JSON line
// out per command; schema validation before sending; transaction blocks; HMP; exit and quit.
#include "cli_process.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

class CliShell : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_QEMU();
    ASSERT_TRUE(qemu_.ok());
  }
  // qmpc shell -s QEMU --trace FILE ARGS < a file holding `input`.
  Outcome shell_from_file(const std::string& input, const std::vector<std::string>& args = {}) {
    const auto in = dir_.file("input" + std::to_string(++runs_));
    std::ofstream(in) << input;
    std::string command =
        "exec " + shell_quoted(qmpc_binary()) + " shell -s " + shell_quoted(qemu_.socket()) + " --trace " +
        shell_quoted(trace_file());
    for (const auto& a : args) command += " " + shell_quoted(a);
    command += " < " + shell_quoted(in);
    return run_program({"/bin/sh", "-c", command}, 60000ms);
  }
  std::string trace_file() const { return dir_.file("t" + std::to_string(runs_) + ".qmpt"); }

  ScratchDir dir_;
  Qemu qemu_{1, {"-blockdev", "driver=null-co,node-name=n0,size=1048576"}};
  int runs_ = 0;
};

TEST_F(CliShell, EachCommandGivesOneJsonLine) {
  const auto o = shell_from_file(
      "query-status\n"
      "# a comment, then a blank line\n"
      "\n"
      "hmp info status\n"
      "  block-dirty-bitmap-add node=n0 name=b0 \n"
      "{\"execute\": \"query-name\"}\n"
      "no-such-command\n"
      "block-dirty-bitmap-remove node=n0 name=b0\n");
  EXPECT_EQ(o.exit_code, 1) << o.err;  // one command failed
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 6u) << o.out;
  EXPECT_EQ(lines[0].rfind("{\"status\":\"", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1], "\"VM status: running\\r\\n\"");  // HMP's text, as one JSON string
  EXPECT_EQ(lines[2], "{}");
  EXPECT_EQ(lines[3], "{}");
  EXPECT_EQ(lines[4],
            R"({"error":{"class":"CommandNotFound","desc":"The command no-such-command has not been found"}})");
  EXPECT_EQ(lines[5], "{}");
  EXPECT_EQ(o.err, "");
}

TEST_F(CliShell, ArgumentsTheSchemaRefusesAreNotSent) {
  const auto o = shell_from_file(
      "drive-mirror device=n0 target=/nonexistent/x sync=ful\n"
      "block-dirty-bitmap-add node=n0 name=b0 persistent=maybe\n"
      "block-dirty-bitmap-add node=n0 nmae=b0\n"
      "query-status\n");
  EXPECT_EQ(o.exit_code, 1) << o.err;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 4u) << o.out;
  EXPECT_EQ(lines[0].rfind(R"({"error":{"class":"ValidationError","desc":"arguments.sync: expected one of )", 0), 0u)
      << lines[0];
  EXPECT_NE(
      lines[0].find(R"x(|incremental|bitmap, got \"ful\" (nothing was sent; --no-validate sends it unchecked)"}})x"),
      std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find(R"("desc":"arguments.persistent: expected true or false, got \"maybe\")"), std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find(R"("desc":"arguments.nmae: unexpected member)"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3].rfind("{\"status\":", 0), 0u);
  const auto trace = read_file(trace_file());
  EXPECT_EQ(trace.find(R"("execute":"drive-mirror")"), std::string::npos) << trace;
  EXPECT_EQ(trace.find(R"("execute":"block-dirty-bitmap-add")"), std::string::npos) << trace;
  EXPECT_NE(trace.find(R"("execute":"query-status")"), std::string::npos) << trace;
}

TEST_F(CliShell, NoValidateSendsWhatTheSchemaWouldRefuse) {
  const auto o = shell_from_file("block-dirty-bitmap-add node=n0 name=b0 nmae=b0\n", {"--no-validate"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.out, R"({"error":{"class":"GenericError","desc":"Parameter 'nmae' is unexpected"}})"
                   "\n");
}

TEST_F(CliShell, ATransactionBlockIsOneCommand) {
  const auto o = shell_from_file(
      "transaction(\n"
      "  block-dirty-bitmap-add node=n0 name=b1\n"
      "  block-dirty-bitmap-add node=n0 name=b2 granularity=65536\n"
      ")\n"
      "block-dirty-bitmap-remove node=n0 name=b2\n"
      "transaction( completion-mode=grouped\n"
      "  block-dirty-bitmap-add node=n0 name=b3\n"
      "  abort\n"
      ")\n"
      "block-dirty-bitmap-remove node=n0 name=b3\n");
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 4u) << o.out << o.err;
  EXPECT_EQ(lines[0], "{}");
  EXPECT_EQ(lines[1], "{}");  // b2 was added by the transaction
  EXPECT_NE(lines[2].find("\"class\":\"GenericError\""), std::string::npos) << lines[2];  // aborted: b3 not added
  EXPECT_NE(lines[3].find("b3"), std::string::npos) << lines[3];
  const auto trace = read_file(trace_file());
  EXPECT_NE(trace.find(R"({"type":"block-dirty-bitmap-add","data":{"node":"n0","name":"b2","granularity":65536}})"),
            std::string::npos)
      << trace;
}

TEST_F(CliShell, BadLinesAreErrorsAndExitStopsReading) {
  const auto o = shell_from_file(
      "query-status 'unclosed\n"
      "wait-event STOP\n"
      "exit\n"
      "stop\n");
  EXPECT_EQ(o.exit_code, 1);
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 2u) << o.out;
  EXPECT_EQ(lines[0], R"({"error":{"class":"InvalidInput","desc":"a ' quote is not closed"}})");
  EXPECT_NE(lines[1].find("wait-event is for scripts"), std::string::npos);
  EXPECT_EQ(read_file(trace_file()).find(R"("execute":"stop")"), std::string::npos);  // nothing after exit was sent
}

TEST_F(CliShell, HmpModeAndVerboseEcho) {
  const auto hmp = shell_from_file("info status\nhmp info status\n", {"-H"});
  EXPECT_EQ(hmp.exit_code, 1) << hmp.err;  // HMP said "unknown command"
  EXPECT_EQ(hmp.out, "\"VM status: running\\r\\n\"\n\"unknown command: 'hmp'\\r\\n\"\n") << hmp.out;
  const auto verbose = shell_from_file("query-name\nhmp info name\n", {"-v"});
  EXPECT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_EQ(verbose.out, "{}\n\"\"\n");  // stdout: the results only
  EXPECT_EQ(verbose.err, R"(-> {"execute":"query-name"})"
                         "\n"
                         R"(-> {"execute":"human-monitor-command","arguments":{"command-line":"info name"}})"
                         "\n");
}

TEST_F(CliShell, QuitThroughAPipeEndsWithQemu) {
  const std::string command =
      "printf 'stop\\nquit\\n' | " + shell_quoted(qmpc_binary()) + " shell -s " + shell_quoted(qemu_.socket());
  const auto o = run_program({"/bin/sh", "-c", command}, 60000ms);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "{}\n{}\n");
  EXPECT_EQ(qemu_.wait().exit_code, 0);
}

TEST(CliShellUsage, HelpNamesTheLineSyntax) {
  const auto o = run_qmpc({"shell", "--help"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("transaction( [KEY=VALUE ...]"), std::string::npos) << o.out;
  const auto none = run_qmpc({"shell"}, 30000ms, {"QMPC_SOCKET="});
  EXPECT_EQ(none.exit_code, 2) << none.err;
}

}  // namespace
