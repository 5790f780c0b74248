#include "schema/schema_cache.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using qmpc::SchemaCache;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "qmpc-schema-cache-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

qmp::Greeting greeting(int major, int minor, int micro, std::string package = {}) {
  qmp::Greeting g;
  g.major = major;
  g.minor = minor;
  g.micro = micro;
  g.package = std::move(package);
  return g;
}

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

TEST(SchemaCache, TheCacheHomeIsXdgCacheHomeWhenAbsoluteElseHomeDotCache) {
  EXPECT_EQ(qmpc::cache_home("/x/cache", "/home/u"), "/x/cache");
  EXPECT_EQ(qmpc::cache_home("relative/cache", "/home/u"), "/home/u/.cache");
  EXPECT_EQ(qmpc::cache_home("", "/home/u"), "/home/u/.cache");
  EXPECT_EQ(qmpc::cache_home(nullptr, "/home/u"), "/home/u/.cache");
  EXPECT_EQ(qmpc::cache_home(nullptr, "relative"), "");
  EXPECT_EQ(qmpc::cache_home(nullptr, nullptr), "");
}

TEST(SchemaCache, WhatIsStoredIsLoadedInPrivateFolders) {
  TempDir home;
  const SchemaCache cache(home.path() + "/cache");  // created as needed
  const auto g = greeting(7, 2, 22, "Debian 1:7.2+dfsg-7+deb12u12");
  EXPECT_FALSE(cache.load(g));
  std::string error;
  ASSERT_TRUE(cache.store(g, R"([{"name": "query-status"}])", &error)) << error;
  EXPECT_EQ(cache.load(g).value_or("none"), R"([{"name": "query-status"}])");
  EXPECT_EQ(cache.dir(), home.path() + "/cache/qmpc/schema");
  const std::string file = cache.dir() + "/" + qmpc::schema_cache_file_name(g);
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(home.path() + "/cache/qmpc"), 0700u);
  EXPECT_EQ(mode_of(cache.dir()), 0700u);
  // Replaced whole, and no temporary file is left behind.
  ASSERT_TRUE(cache.store(g, "[]", &error)) << error;
  EXPECT_EQ(cache.load(g).value_or("none"), "[]");
  EXPECT_EQ(std::distance(fs::directory_iterator(cache.dir()), fs::directory_iterator()), 1);
}

TEST(SchemaCache, EachVersionAndPackageHasItsOwnFile) {
  TempDir home;
  const SchemaCache cache(home.path());
  const auto a = greeting(7, 2, 0), b = greeting(7, 2, 0, "Debian 1:7.2+dfsg-7"), c = greeting(10, 0, 0),
             d = greeting(7, 2, 1);
  ASSERT_TRUE(cache.store(a, "a"));
  ASSERT_TRUE(cache.store(b, "b"));
  ASSERT_TRUE(cache.store(c, "c"));
  EXPECT_EQ(cache.load(a).value_or("none"), "a");
  EXPECT_EQ(cache.load(b).value_or("none"), "b");
  EXPECT_EQ(cache.load(c).value_or("none"), "c");
  EXPECT_FALSE(cache.load(d));
  const std::string name = qmpc::schema_cache_file_name(b);
  EXPECT_EQ(name.rfind("qemu-7.2.0-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("qemu-7.2.0-0123456789abcdef.json").size()) << name;
  EXPECT_NE(name, qmpc::schema_cache_file_name(a));
  EXPECT_EQ(name, qmpc::schema_cache_file_name(greeting(7, 2, 0, "Debian 1:7.2+dfsg-7")));  // stable
}

TEST(SchemaCache, ALinkInPlaceOfTheFileIsNotFollowed) {
  TempDir home;
  const SchemaCache cache(home.path());
  const auto g = greeting(7, 2, 0);
  ASSERT_TRUE(cache.store(g, "first"));
  const std::string file = cache.dir() + "/" + qmpc::schema_cache_file_name(g);
  const std::string elsewhere = home.path() + "/elsewhere.json";
  std::ofstream(elsewhere) << "not for qmpc";
  fs::remove(file);
  fs::create_symlink(elsewhere, file);
  EXPECT_FALSE(cache.load(g));
  // A store replaces the link itself; what it pointed to is left alone.
  ASSERT_TRUE(cache.store(g, "second"));
  EXPECT_FALSE(fs::is_symlink(file));
  EXPECT_EQ(cache.load(g).value_or("none"), "second");
  EXPECT_EQ(contents(elsewhere), "not for qmpc");
}

TEST(SchemaCache, ALinkInPlaceOfAFolderIsRefused) {
  TempDir home, elsewhere;
  fs::create_directory(home.path() + "/qmpc");
  fs::create_directory_symlink(elsewhere.path(), home.path() + "/qmpc/schema");
  const SchemaCache cache(home.path());
  const auto g = greeting(7, 2, 0);
  const std::string name = qmpc::schema_cache_file_name(g);
  std::ofstream(elsewhere.path() + "/" + name) << "planted";
  EXPECT_FALSE(cache.load(g));
  std::string error;
  EXPECT_FALSE(cache.store(g, "text", &error));
  EXPECT_NE(error.find("symbolic links are not followed"), std::string::npos) << error;
  EXPECT_EQ(contents(elsewhere.path() + "/" + name), "planted");
  EXPECT_EQ(std::distance(fs::directory_iterator(elsewhere.path()), fs::directory_iterator()), 1);
}

TEST(SchemaCache, WhatIsNoRegularFileIsNotRead) {
  TempDir home;
  const SchemaCache cache(home.path());
  const auto g = greeting(7, 2, 0);
  ASSERT_TRUE(cache.store(greeting(1, 0, 0), "other"));  // creates the folders
  fs::create_directory(cache.dir() + "/" + qmpc::schema_cache_file_name(g));
  EXPECT_FALSE(cache.load(g));
}

TEST(SchemaCache, NoCacheHomeMeansNoCache) {
  const SchemaCache cache("");
  const auto g = greeting(7, 2, 0);
  std::string error;
  EXPECT_FALSE(cache.store(g, "text", &error));
  EXPECT_NE(error.find("no cache folder"), std::string::npos) << error;
  EXPECT_FALSE(cache.load(g));
}

}  // namespace
