// The global options: one table, accepted before or after every command's name, listed in each command's --help.
#include "cli/command_line.hpp"
#include "cli/global_options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using qmpc::cli::Command;
using qmpc::cli::parse_command_line;

// The smallest valid command line of each command that takes the global options.
const std::vector<std::pair<Command, std::vector<std::string>>> kCommands = {
    {Command::exec, {"exec", "query-status"}},
    {Command::run, {"run", "script.qmpc"}},
    {Command::hmp, {"hmp", "info", "status"}},
    {Command::events, {"events"}},
    {Command::mirror, {"mirror", "--device", "d", "--target", "t"}},
    {Command::launch, {"launch"}},
    {Command::demo, {"demo"}},
};

const std::vector<std::string> kEveryGlobalOption = {"-s",          "/run/g.qmp", "--connect-timeout", "2.5",
                                                     "--timeout",   "7",          "--log-level",       "debug",
                                                     "--trace",     "/tmp/t.qmpt", "--trace-overwrite"};

void expect_every_global_option(const qmpc::cli::CommandLine& line) {
  EXPECT_EQ(line.global.socket, "/run/g.qmp");
  EXPECT_TRUE(line.global.socket_given);
  EXPECT_EQ(line.global.connect_timeout_s, 2.5);
  EXPECT_EQ(line.global.log_level, "debug");
  EXPECT_EQ(line.global.trace_file, "/tmp/t.qmpt");
  EXPECT_TRUE(line.global.trace_overwrite);
}

TEST(GlobalOptions, EveryOneBeforeOrAfterEveryCommand) {
  for (const auto& [command, words] : kCommands) {
    std::vector<std::string> before = kEveryGlobalOption;
    before.insert(before.end(), words.begin(), words.end());
    std::vector<std::string> after = words;
    after.insert(after.end(), kEveryGlobalOption.begin(), kEveryGlobalOption.end());
    for (const auto& args : {before, after}) {
      auto r = parse_command_line(args, nullptr);
      ASSERT_TRUE(r.line) << words[0] << ": " << r.err;
      EXPECT_EQ(r.line->command, command);
      expect_every_global_option(*r.line);
      if (command == Command::mirror && args == after) {
        // After 'mirror', --timeout is the mirror's own: the deadline of the whole job.
        EXPECT_EQ(r.line->global.timeout_s, 30);
        EXPECT_EQ(r.line->mirror.job_timeout_s, 7.0);
      } else {
        EXPECT_EQ(r.line->global.timeout_s, 7) << words[0];
      }
    }
  }
}

TEST(GlobalOptions, SplitAroundTheCommandName) {
  auto r = parse_command_line({"--log-level", "info", "events", "--count", "2", "--timeout", "3", "-s", "x"}, nullptr);
  ASSERT_TRUE(r.line) << r.err;
  EXPECT_EQ(r.line->global.log_level, "info");
  EXPECT_EQ(r.line->global.timeout_s, 3);
  EXPECT_EQ(r.line->global.socket, "x");
  EXPECT_EQ(r.line->events.count, 2u);
}

TEST(GlobalOptions, DefaultsWhenAbsent) {
  auto r = parse_command_line({"demo"}, nullptr);
  ASSERT_TRUE(r.line) << r.err;
  EXPECT_EQ(r.line->global.socket, "");
  EXPECT_FALSE(r.line->global.socket_given);
  EXPECT_EQ(r.line->global.connect_timeout_s, 10);
  EXPECT_EQ(r.line->global.timeout_s, 30);
  EXPECT_EQ(r.line->global.log_level, "warn");
  EXPECT_EQ(r.line->global.trace_file, "");
  EXPECT_FALSE(r.line->global.trace_overwrite);
}

TEST(GlobalOptions, BadValueAfterTheCommandNamesTheCommand) {
  auto r = parse_command_line({"events", "--connect-timeout", "-2"}, "/s");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "qmpc events: --connect-timeout: must be 0 or more seconds; see 'qmpc events --help'\n");
  auto level = parse_command_line({"demo", "--log-level", "loud"}, nullptr);
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_NE(level.err.find("loud"), std::string::npos) << level.err;
}

TEST(GlobalOptions, ListedAtTheEndOfEachCommandsHelp) {
  const std::string block = qmpc::cli::global_options_help();
  EXPECT_EQ(block,
            "\n"
            "Global options (before or after the command name):\n"
            "  -s, --socket ADDR          QMP monitor: PATH, unix:PATH or tcp:HOST:PORT (default: $QMPC_SOCKET)\n"
            "  --connect-timeout SEC      keep retrying a missing or refused socket this long (default 10)\n"
            "  --timeout SEC              deadline for each command's reply (default 30)\n"
            "  --log-level LEVEL          trace|debug|info|warn|error|off, to stderr (default warn)\n"
            "  --trace FILE               write a transcript of the session to a new FILE (mode 0600)\n"
            "  --trace-overwrite          let --trace replace an existing regular FILE\n"
            "  --version                  print the version and exit\n"
            "Exit codes: 0 done, 1 failed, 2 usage, 3 connection/protocol, 4 deadline, 130 interrupted (see 'qmpc "
            "--help').\n");
  for (const auto& [command, words] : kCommands) {
    auto help = parse_command_line({words[0], "--help"}, nullptr);
    EXPECT_EQ(help.exit_code, 0);
    ASSERT_GE(help.out.size(), block.size()) << words[0];
    EXPECT_EQ(help.out.substr(help.out.size() - block.size()), block) << words[0];
  }
  EXPECT_EQ(parse_command_line({"--help"}, nullptr).out.find("Global options (before"), std::string::npos);
}

TEST(GlobalOptions, WhichTakeAValue) {
  for (const char* w : {"-s", "--socket", "--connect-timeout", "--timeout", "--log-level", "--trace"})
    EXPECT_TRUE(qmpc::cli::is_global_option_with_value(w)) << w;
  for (const char* w : {"--trace-overwrite", "--version", "--help", "-h", "--sock", "exec", ""})
    EXPECT_FALSE(qmpc::cli::is_global_option_with_value(w)) << w;
}

}  // namespace
