// claim_socket_path and OwnedSocketFile: a live socket and a non-socket are never removed, a stale socket is,
// and a socket file is removed only by whoever created it.
#include "qmp/socket_path.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

// A socket bound at `path`; listening when `listen` is set. The descriptor (closed by the caller).
int bound_socket(const std::string& path, bool listen) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.data(), path.size());
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << path << ": " << std::strerror(errno);
  if (listen) {
    EXPECT_EQ(::listen(fd, 1), 0);
  }
  return fd;
}

class SocketPath : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("qmpc-sock-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
  qmp::error_code ec;
  qmp::Diagnostics diag;
};

TEST_F(SocketPath, NothingThereIsFree) { EXPECT_TRUE(qmp::claim_socket_path(path("none.sock"), ec, diag)); }

TEST_F(SocketPath, ALiveSocketIsRefusedAndLeftInPlace) {
  const auto p = path("live.sock");
  const int fd = bound_socket(p, true);
  EXPECT_FALSE(qmp::claim_socket_path(p, ec, diag));
  EXPECT_EQ(ec, qmp::errc::invalid_argument);
  EXPECT_NE(diag.what.find("another program listens"), std::string::npos) << diag.what;
  EXPECT_NE(diag.what.find(p), std::string::npos) << diag.what;
  EXPECT_TRUE(std::filesystem::is_socket(p));
  ::close(fd);
}

TEST_F(SocketPath, AStaleSocketIsRemoved) {
  const auto p = path("stale.sock");
  ::close(bound_socket(p, true));  // the listener is gone, its file stays
  ASSERT_TRUE(std::filesystem::is_socket(p));
  EXPECT_TRUE(qmp::claim_socket_path(p, ec, diag)) << diag.what;
  EXPECT_FALSE(std::filesystem::exists(p));
}

TEST_F(SocketPath, AFileThatIsNoSocketIsRefusedAndKept) {
  const auto p = path("data");
  std::ofstream(p) << "keep";
  EXPECT_FALSE(qmp::claim_socket_path(p, ec, diag));
  EXPECT_NE(diag.what.find("not a socket"), std::string::npos) << diag.what;
  EXPECT_TRUE(std::filesystem::is_regular_file(p));
}

TEST_F(SocketPath, AnOwnedSocketFileIsRemovedOnlyWhileItIsStillTheOneCreated) {
  const auto p = path("own.sock");
  {
    const int fd = bound_socket(p, true);
    qmp::OwnedSocketFile owned(p);
    EXPECT_EQ(owned.path(), p);
    ::close(fd);
  }
  EXPECT_FALSE(std::filesystem::exists(p));

  const int first = bound_socket(p, true);
  qmp::OwnedSocketFile owned(p);
  ::unlink(p.c_str());
  const int other = bound_socket(p, true);  // somebody else's now
  owned.remove();
  EXPECT_TRUE(std::filesystem::is_socket(p));
  ::close(first);
  ::close(other);

  qmp::OwnedSocketFile released(p);
  released.release();
  released.remove();
  EXPECT_TRUE(std::filesystem::is_socket(p));
}

}  // namespace
