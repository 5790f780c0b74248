// qmpc exec and qmpc run check a command's arguments against the connected QEMU's schema before sending it
// (--no-validate skips the check); the schema is cached per QEMU version under XDG_CACHE_HOME.
#include "cli_process.hpp"
#include "fake_monitor.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace qmpc_cli_test;
namespace fs = std::filesystem;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto p = text.find(part); p != std::string::npos; p = text.find(part, p + 1)) ++n;
  return n;
}

const std::string kSchemaQuery = R"("execute":"query-qmp-schema")";

class CliValidate : public ::testing::Test {
 protected:
  struct Run {
    Outcome o;
    std::string trace;  // the transcript of the run (--trace)
  };
  // qmpc -s QEMU --trace FILE ARGS..., with its own cache home.
  Run qmpc(const std::vector<std::string>& args) {
    const auto trace = dir_.file("t" + std::to_string(++runs_) + ".qmpt");
    std::vector<std::string> argv{"-s", qemu_.socket(), "--trace", trace};
    argv.insert(argv.end(), args.begin(), args.end());
    Run r{run_qmpc(argv, 60000ms, {"XDG_CACHE_HOME=" + cache_home()}), ""};
    r.trace = read_file(trace);
    return r;
  }
  std::string cache_home() const { return dir_.file("cache"); }
  std::vector<fs::path> cached_files() const {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cache_home() + "/qmpc/schema", ec)) files.push_back(e.path());
    return files;
  }
  std::string script(const std::string& text) {
    const auto path = dir_.file("script" + std::to_string(++runs_) + ".qmpc");
    std::ofstream(path) << text;
    return path;
  }

  ScratchDir dir_;
  Qemu qemu_;
  int runs_ = 0;
};

TEST_F(CliValidate, ABadEnumValueIsRefusedWithItsPathAndNothingIsSent) {
  REQUIRE_QEMU();
  auto r = qmpc({"exec", "drive-mirror", "device=disk0", "target=" + dir_.file("copy.qcow2"), "sync=ful"});
  EXPECT_EQ(r.o.exit_code, 2) << r.o.err;
  EXPECT_EQ(r.o.out, "");
  EXPECT_EQ(r.o.err.rfind("qmpc: drive-mirror: arguments.sync: expected one of ", 0), 0u) << r.o.err;
  EXPECT_TRUE(has(r.o.err, "full|")) << r.o.err;
  EXPECT_TRUE(has(r.o.err, R"(got "ful"; nothing was sent (--no-validate sends it unchecked))")) << r.o.err;
  EXPECT_EQ(count(r.trace, kSchemaQuery), 1u) << r.trace;
  EXPECT_FALSE(has(r.trace, R"("execute":"drive-mirror")")) << r.trace;
}

TEST_F(CliValidate, AnUnknownMemberAMissingOneAndAWrongTypeAreRefused) {
  REQUIRE_QEMU();
  auto unknown = qmpc({"exec", "blockdev-add", "driver=null-co", "node-name=n0", "sise=1048576"});
  EXPECT_EQ(unknown.o.exit_code, 2) << unknown.o.err;
  EXPECT_TRUE(has(unknown.o.err, "qmpc: blockdev-add: arguments.sise: ")) << unknown.o.err;
  auto missing = qmpc({"exec", "drive-mirror", "device=disk0", "sync=full"});
  EXPECT_EQ(missing.o.exit_code, 2) << missing.o.err;
  EXPECT_TRUE(has(missing.o.err, "qmpc: drive-mirror: arguments.target: ")) << missing.o.err;
  auto type = qmpc({"exec", "blockdev-add", "driver=null-co", "node-name=n0", "size=\"big\""});
  EXPECT_EQ(type.o.exit_code, 2) << type.o.err;
  EXPECT_TRUE(has(type.o.err, R"(qmpc: blockdev-add: arguments.size: expected an integer, got "big")")) << type.o.err;
  for (const auto* r : {&unknown, &missing, &type}) {
    EXPECT_FALSE(has(r->trace, R"("execute":"blockdev-add")")) << r->trace;
    EXPECT_FALSE(has(r->trace, R"("execute":"drive-mirror")")) << r->trace;
  }
  // QEMU has no node n0.
  auto nodes = qmpc({"exec", "query-named-block-nodes"});
  EXPECT_EQ(nodes.o.exit_code, 0) << nodes.o.err;
  EXPECT_FALSE(has(nodes.o.out, R"("node-name":"n0")")) << nodes.o.out;
}

TEST_F(CliValidate, ACommandObjectSentInOrOutOfBandIsCheckedToo) {
  REQUIRE_QEMU();
  auto inband = qmpc({"exec", R"({"execute": "drive-mirror", "arguments": {"device": "disk0", "target": "/x", "sync": "ful"}})"});
  EXPECT_EQ(inband.o.exit_code, 2) << inband.o.err;
  EXPECT_TRUE(has(inband.o.err, "qmpc: drive-mirror: arguments.sync: ")) << inband.o.err;
  auto oob = qmpc({"exec", R"({"exec-oob": "migrate-recover", "arguments": {"uri": "unix:/x", "bogus": 1}})"});
  EXPECT_EQ(oob.o.exit_code, 2) << oob.o.err;
  EXPECT_TRUE(has(oob.o.err, "qmpc: migrate-recover: arguments.bogus: ")) << oob.o.err;
  EXPECT_FALSE(has(oob.trace, R"("exec-oob":"migrate-recover")")) << oob.trace;
}

TEST_F(CliValidate, AValidCommandIsSentAndAnUnknownOneIsLeftToQemu) {
  REQUIRE_QEMU();
  auto add = qmpc({"exec", "blockdev-add", "driver=null-co", "node-name=n0", "size=1048576"});
  EXPECT_EQ(add.o.exit_code, 0) << add.o.err;
  EXPECT_EQ(add.o.out, "{}\n");
  // Checked first, then sent.
  const auto checked = add.trace.find(kSchemaQuery), sent = add.trace.find(R"("execute":"blockdev-add")");
  ASSERT_NE(checked, std::string::npos) << add.trace;
  ASSERT_NE(sent, std::string::npos) << add.trace;
  EXPECT_LT(checked, sent);
  auto unknown = qmpc({"exec", "no-such-command"});
  EXPECT_EQ(unknown.o.exit_code, 1) << unknown.o.err;
  EXPECT_EQ(unknown.o.err, "qmpc: CommandNotFound: The command no-such-command has not been found\n");
  EXPECT_TRUE(has(unknown.trace, R"("execute":"no-such-command")")) << unknown.trace;
}

TEST_F(CliValidate, NoValidateSendsTheCommandAndQemuRefusesIt) {
  REQUIRE_QEMU();
  auto r = qmpc({"exec", "--no-validate", "drive-mirror", "device=disk0", "target=/x", "sync=ful"});
  EXPECT_EQ(r.o.exit_code, 1) << r.o.err;
  EXPECT_EQ(r.o.err.rfind("qmpc: GenericError: ", 0), 0u) << r.o.err;
  EXPECT_TRUE(has(r.o.err, "'ful'")) << r.o.err;
  EXPECT_TRUE(has(r.trace, R"("execute":"drive-mirror")")) << r.trace;
  EXPECT_FALSE(has(r.trace, kSchemaQuery)) << r.trace;
  EXPECT_TRUE(cached_files().empty());
}

TEST_F(CliValidate, TheSchemaIsCachedPerVersionAndReused) {
  REQUIRE_QEMU();
  auto first = qmpc({"exec", "query-status"});
  EXPECT_EQ(first.o.exit_code, 0) << first.o.err;
  EXPECT_EQ(count(first.trace, kSchemaQuery), 1u) << first.trace;
  const auto files = cached_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename().string().rfind("qemu-", 0), 0u) << files[0];
  struct stat st {};
  ASSERT_EQ(::lstat(files[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::lstat((cache_home() + "/qmpc/schema").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto second = qmpc({"exec", "query-status"});
  EXPECT_EQ(second.o.exit_code, 0) << second.o.err;
  EXPECT_TRUE(has(second.trace, R"("execute":"query-status")")) << second.trace;
  EXPECT_FALSE(has(second.trace, kSchemaQuery)) << second.trace;

  // What the cached schema refuses is checked again on QEMU's own, and refused by that too.
  auto bad = qmpc({"exec", "drive-mirror", "device=disk0", "target=/x", "sync=ful"});
  EXPECT_EQ(bad.o.exit_code, 2) << bad.o.err;
  EXPECT_EQ(count(bad.trace, kSchemaQuery), 1u) << bad.trace;
  EXPECT_FALSE(has(bad.trace, R"("execute":"drive-mirror")")) << bad.trace;
}

TEST_F(CliValidate, ACorruptCacheFileIsIgnoredAndReplaced) {
  REQUIRE_QEMU();
  ASSERT_EQ(qmpc({"exec", "query-status"}).o.exit_code, 0);
  const auto files = cached_files();
  ASSERT_EQ(files.size(), 1u);
  std::ofstream(files[0], std::ios::trunc) << "[{\"name\": \"truncat";
  auto r = qmpc({"exec", "query-status"});
  EXPECT_EQ(r.o.exit_code, 0) << r.o.err;
  EXPECT_EQ(count(r.trace, kSchemaQuery), 1u) << r.trace;
  const std::string text = read_file(files[0].string());
  EXPECT_GT(text.size(), 1000u);
  EXPECT_EQ(text.front(), '[');
  EXPECT_EQ(text.back(), ']');
}

TEST_F(CliValidate, ARunStepWithBadArgumentsFailsAndStopsTheScript) {
  REQUIRE_QEMU();
  const auto path = script("query-status\ndrive-mirror device=disk0 target=/x sync=ful\nquery-status\n");
  auto r = qmpc({"run", path});
  EXPECT_EQ(r.o.exit_code, 2) << r.o.err;
  const auto lines = lines_of(r.o.out);
  ASSERT_EQ(lines.size(), 2u) << r.o.out;
  EXPECT_TRUE(has(lines[0], R"({"step":1,"execute":"query-status","return":)")) << lines[0];
  EXPECT_TRUE(has(lines[1], R"({"step":2,"execute":"drive-mirror","error":{"class":"ValidationError","desc":"arguments.sync: expected one of )"))
      << lines[1];
  EXPECT_TRUE(has(r.o.err, "qmpc: step 2 (drive-mirror): arguments.sync: ")) << r.o.err;
  EXPECT_EQ(count(r.trace, kSchemaQuery), 1u) << r.trace;  // once for the connection
  EXPECT_FALSE(has(r.trace, R"("execute":"drive-mirror")")) << r.trace;

  auto going = qmpc({"run", path, "--keep-going"});
  EXPECT_EQ(going.o.exit_code, 2) << going.o.err;
  ASSERT_EQ(lines_of(going.o.out).size(), 3u) << going.o.out;
  EXPECT_TRUE(has(lines_of(going.o.out)[2], R"({"step":3,"execute":"query-status","return":)")) << going.o.out;

  auto unchecked = qmpc({"run", path, "--no-validate"});
  EXPECT_EQ(unchecked.o.exit_code, 1) << unchecked.o.err;
  ASSERT_EQ(lines_of(unchecked.o.out).size(), 2u) << unchecked.o.out;
  EXPECT_TRUE(has(lines_of(unchecked.o.out)[1], R"({"step":2,"execute":"drive-mirror","error":{"class":"GenericError")"))
      << unchecked.o.out;
  EXPECT_FALSE(has(unchecked.trace, kSchemaQuery)) << unchecked.trace;
}

// A monitor that refuses query-qmp-schema (QEMU before 2.5) gets the command unchecked; the debug log says why.
TEST(CliValidateFake, AMonitorRefusingTheSchemaQueryGetsTheCommandUnchecked) {
  ScratchDir dir;
  const auto path = dir.file("old.sock");
  FakeMonitor fake(path, [](qmpc_test::ScriptedServer& s) {
    s.handshake()
        .expect("query-qmp-schema",
                R"({"error": {"class": "CommandNotFound", "desc": "The command query-qmp-schema has not been found"}, "id": $ID})")
        .expect("query-status", R"({"return": {"status": "running", "running": true}, "id": $ID})")
        .ignore_forever();
  });
  auto o = run_qmpc({"-s", path, "--log-level", "debug", "exec", "query-status", "bogus=1"}, 30000ms,
                    {"XDG_CACHE_HOME=" + dir.file("cache")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, R"({"status":"running","running":true})" "\n");
  EXPECT_TRUE(has(o.err, "arguments are not checked: QEMU refused query-qmp-schema")) << o.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("cache/qmpc/schema")));
}

}  // namespace
