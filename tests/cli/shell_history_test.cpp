#include "shell/history_file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using qmpc::shell::history_path;
using qmpc::shell::HistoryFile;

class ShellHistory : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/qmpc-history-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string text_of(const std::string& path) const {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string dir_;
};

TEST(ShellHistoryPath, XdgStateHomeThenHome) {
  EXPECT_EQ(history_path("/s", "/h"), "/s/qmpc/history");
  EXPECT_EQ(history_path(nullptr, "/h"), "/h/.qmpc_history");
  EXPECT_EQ(history_path("relative", "/h"), "/h/.qmpc_history");
  EXPECT_EQ(history_path("", "/h"), "/h/.qmpc_history");
  EXPECT_EQ(history_path(nullptr, nullptr), "");
  EXPECT_EQ(history_path(nullptr, "h"), "");
}

TEST_F(ShellHistory, LinesAppendedComeBackInOrderAndTheFolderIsCreatedPrivate) {
  const std::string path = history_path(dir_.c_str(), nullptr);
  HistoryFile first(path);
  std::string error;
  EXPECT_TRUE(first.load(&error).empty());
  EXPECT_EQ(error, "");  // not there yet: no error
  EXPECT_TRUE(first.append("query-status", &error)) << error;
  EXPECT_TRUE(first.append("hmp info block", &error)) << error;
  EXPECT_TRUE(first.append("", &error));        // not kept
  EXPECT_TRUE(first.append("a\nb", &error));    // not one line: not kept
  EXPECT_EQ(text_of(path), "query-status\nhmp info block\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/qmpc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  HistoryFile second(path);
  EXPECT_EQ(second.load(), (std::vector<std::string>{"query-status", "hmp info block"}));
}

TEST_F(ShellHistory, OnlyTheNewestAreKept) {
  const std::string path = dir_ + "/.qmpc_history";
  HistoryFile h(path, 3);
  h.load();
  for (int i = 1; i <= 7; ++i) ASSERT_TRUE(h.append("line " + std::to_string(i)));
  // Past twice the lines kept (7 > 6) the file is rewritten with the newest 3.
  EXPECT_EQ(text_of(path), "line 5\nline 6\nline 7\n");
  HistoryFile again(path, 2);
  EXPECT_EQ(again.load(), (std::vector<std::string>{"line 6", "line 7"}));
}

TEST_F(ShellHistory, ALinkInPlaceOfTheFileIsNeitherReadNorWritten) {
  const std::string target = dir_ + "/elsewhere";
  { std::ofstream(target) << "secret\n"; }
  const std::string path = dir_ + "/.qmpc_history";
  fs::create_symlink(target, path);
  HistoryFile h(path);
  std::string error;
  EXPECT_TRUE(h.load(&error).empty());
  EXPECT_NE(error.find("cannot open '" + path + "'"), std::string::npos) << error;
  EXPECT_FALSE(h.append("stop", &error));
  EXPECT_EQ(text_of(target), "secret\n");
}

TEST_F(ShellHistory, NoPathIsAnError) {
  HistoryFile h("");
  std::string error;
  EXPECT_FALSE(h.append("stop", &error));
  EXPECT_NE(error.find("neither XDG_STATE_HOME nor HOME"), std::string::npos);
}

}  // namespace
