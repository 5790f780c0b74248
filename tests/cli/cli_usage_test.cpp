// The qmpc binary's help, version and usage errors (no QEMU needed).
#include "cli_process.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc_cli_test;

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(CliUsage, HelpOfEveryCommandGoesToStdoutWithExitZero) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"-h"}, {"exec", "--help"},
                                        {"events", "--help"}, {"mirror", "--help"}, {"launch", "--help"},
                                        {"demo", "--help"}, {"--help-all"}}) {
    auto o = run_qmpc(args);
    EXPECT_EQ(o.exit_code, 0) << args[0];
    EXPECT_EQ(o.err, "") << args[0];
    EXPECT_GT(lines(o.out), 10) << args[0];
    EXPECT_NE(o.out.find("Usage: qmpc"), std::string::npos) << o.out;
  }
}

TEST(CliUsage, Version) {
  auto o = run_qmpc({"--version"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out.rfind("qmpc ", 0), 0u) << o.out;
  EXPECT_EQ(lines(o.out), 1);
}

TEST(CliUsage, TypoedOptionGetsOneLineHintAndExitTwo) {
  auto o = run_qmpc({"-s", "/nonexistent.sock", "exec", "query-status", "--prety"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "qmpc exec: unknown option --prety (did you mean --pretty?); see 'qmpc exec --help'\n");
}

TEST(CliUsage, MissingArgumentGetsOneLineAndExitTwo) {
  for (std::vector<std::string> args : {std::vector<std::string>{}, {"exec"}, {"mirror", "--device", "d"},
                                        {"events", "--count"}, {"exce"}, {"exec", "x", "bad word"}}) {
    auto o = run_qmpc(args, 10000ms, {"QMPC_SOCKET=/nonexistent.sock"});
    EXPECT_EQ(o.exit_code, 2) << (args.empty() ? "" : args[0]);
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(lines(o.err), 1) << o.err;
    EXPECT_NE(o.err.find("--help'"), std::string::npos) << o.err;
  }
}

TEST(CliUsage, NoSocketIsAUsageError) {
  auto o = run_qmpc({"exec", "query-status"}, 10000ms, {"QMPC_SOCKET="});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("QMPC_SOCKET"), std::string::npos) << o.err;
}

TEST(CliUsage, MalformedAddressIsAUsageError) {
  auto o = run_qmpc({"-s", "tcp:localhost", "exec", "query-status"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("tcp:localhost"), std::string::npos) << o.err;
}

}  // namespace
