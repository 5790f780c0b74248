#include "shell/shell_line.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc::shell;

// A readable rendering of what a line asks for.
std::string show(const Request& r) {
  if (std::holds_alternative<NoRequest>(r)) return "(none)";
  if (std::holds_alternative<ExitRequest>(r)) return "exit";
  if (const auto* h = std::get_if<HmpRequest>(&r)) return "hmp " + h->command_line;
  if (const auto* e = std::get_if<LineError>(&r)) return "ERROR: " + e->message;
  const auto& c = std::get<qmpc::script::CommandStep>(r);
  return std::string(c.oob ? "oob " : "exec ") + c.name + " " + c.arguments_json;
}

std::string one(std::string_view line, bool hmp_mode = false) {
  LineReader reader(hmp_mode);
  return show(reader.read(line));
}

TEST(ShellLine, CommandsAsAfterQmpcExec) {
  EXPECT_EQ(one("query-status"), "exec query-status ");
  EXPECT_EQ(one("  drive-mirror device=drive0 sync=full speed=0 "),
            R"(exec drive-mirror {"device":"drive0","sync":"full","speed":0})");
  EXPECT_EQ(one("human-monitor-command command-line='info block'"),
            R"(exec human-monitor-command {"command-line":"info block"})");
  EXPECT_EQ(one(R"(blockdev-add '{"driver":"null-co","node-name":"n0"}')"),
            R"(exec blockdev-add {"driver":"null-co","node-name":"n0"})");
  EXPECT_EQ(one("quit"), "exec quit ");  // QEMU's own command, not the shell's
}

TEST(ShellLine, RawObjects) {
  EXPECT_EQ(one(R"({"execute":"query-status"})"), "exec query-status ");
  EXPECT_EQ(one(R"( {"exec-oob":"x-oob-test","arguments":{"a":1}})"), R"(oob x-oob-test {"a":1})");
  EXPECT_EQ(one(R"({"execute":"stop","id":3})").rfind("ERROR: leave out \"id\"", 0), 0u);
  EXPECT_EQ(one(R"({"execute":)").rfind("ERROR: not a JSON object", 0), 0u);
}

TEST(ShellLine, BlankCommentAndExit) {
  EXPECT_EQ(one(""), "(none)");
  EXPECT_EQ(one("   \t"), "(none)");
  EXPECT_EQ(one("# a comment"), "(none)");
  EXPECT_EQ(one("exit"), "exit");
  EXPECT_EQ(one(" exit "), "exit");
  EXPECT_EQ(one("exit", true), "exit");
}

TEST(ShellLine, HmpLinesAreKeptAsTyped) {
  EXPECT_EQ(one("hmp info block"), "hmp info block");
  EXPECT_EQ(one("hmp   info  'x'  "), "hmp info  'x'");
  EXPECT_EQ(one("hmp"), "ERROR: hmp needs a command line, e.g. hmp info block");
  EXPECT_EQ(one("info block", true), "hmp info block");
  EXPECT_EQ(one("query-status", true), "hmp query-status");
  EXPECT_EQ(one("hmpx"), "exec hmpx ");
}

TEST(ShellLine, BadLinesSayWhatWasWrong) {
  EXPECT_EQ(one("stop 'unclosed"), "ERROR: a ' quote is not closed");
  EXPECT_EQ(one("drive-mirror device"), "ERROR: expected KEY=VALUE, got 'device'");
  EXPECT_EQ(one("transaction (").rfind("ERROR: a transaction block opens with 'transaction('", 0), 0u);
  EXPECT_EQ(one("wait-event STOP").rfind("ERROR: wait-event is for scripts", 0), 0u);
}

TEST(ShellLine, TransactionBlockBuildsOneCommand) {
  LineReader r;
  EXPECT_EQ(show(r.read("transaction(")), "(none)");
  EXPECT_TRUE(r.in_transaction());
  EXPECT_EQ(show(r.read("  blockdev-snapshot-sync device=drive0 snapshot-file=/tmp/s.qcow2 format=qcow2")), "(none)");
  EXPECT_EQ(show(r.read("# comments and blank lines are skipped")), "(none)");
  EXPECT_EQ(show(r.read("")), "(none)");
  EXPECT_EQ(show(r.read("block-dirty-bitmap-add node=n0 name=b0")), "(none)");
  EXPECT_EQ(show(r.read("abort")), "(none)");
  EXPECT_EQ(show(r.read(" ) ")),
            R"(exec transaction {"actions":[{"type":"blockdev-snapshot-sync","data":{"device":"drive0",)"
            R"("snapshot-file":"/tmp/s.qcow2","format":"qcow2"}},{"type":"block-dirty-bitmap-add","data":)"
            R"({"node":"n0","name":"b0"}},{"type":"abort","data":{}}]})");
  EXPECT_FALSE(r.in_transaction());
  EXPECT_EQ(show(r.read("query-status")), "exec query-status ");
}

TEST(ShellLine, TransactionPropertiesAndEmptyBlock) {
  LineReader r;
  EXPECT_EQ(show(r.read("transaction( completion-mode=grouped")), "(none)");
  EXPECT_EQ(show(r.read("abort")), "(none)");
  EXPECT_EQ(show(r.read(")")),
            R"(exec transaction {"actions":[{"type":"abort","data":{}}],"properties":{"completion-mode":"grouped"}})");
  EXPECT_EQ(show(r.read("transaction(")), "(none)");
  EXPECT_EQ(show(r.read(")")), R"(exec transaction {"actions":[]})");
}

TEST(ShellLine, ABadActionLeavesTheBlockOpen) {
  LineReader r;
  r.read("transaction(");
  EXPECT_EQ(show(r.read("abort x")), "ERROR: abort: expected KEY=VALUE, got 'x'");
  EXPECT_EQ(show(r.read(R"({"execute":"stop"})")).rfind("ERROR: an action is ACTION-TYPE", 0), 0u);
  EXPECT_EQ(show(r.read("transaction(")).rfind("ERROR: expected an action type", 0), 0u);
  EXPECT_EQ(show(r.read("exit")), "(none)");  // an action named exit, for QEMU to refuse
  EXPECT_TRUE(r.in_transaction());
  EXPECT_EQ(show(r.read(")")), R"(exec transaction {"actions":[{"type":"exit","data":{}}]})");
  EXPECT_EQ(show(r.read("transaction( x")).rfind("ERROR: transaction properties: ", 0), 0u);
  EXPECT_FALSE(r.in_transaction());
}

}  // namespace
