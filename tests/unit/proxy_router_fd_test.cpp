// ProxyRouter and file descriptors (SCM_RIGHTS): each goes up with its own command, one command with descriptors
// at a time, and every one it does not pass on is closed. Pipes stand for the descriptors: a pipe whose write end
// the router held reads EOF once the router closed it.
#include "proxy_router_harness.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using qmp::UniqueFd;
using qmpc_test::Harness;
using qmpc_test::upstream_id;

// A pipe: the write end is given to the router, the read end kept to see whether the router still holds it.
struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
  Pipe() {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    read_end.reset(p[0]);
    write_end.reset(p[1]);
  }
  std::vector<UniqueFd> give() {
    std::vector<UniqueFd> v;
    v.push_back(std::move(write_end));
    return v;
  }
  // Every write end is closed.
  bool closed_everywhere() const {
    char c;
    return ::read(read_end.get(), &c, 1) == 0;
  }
  // `fd` is this pipe's write end.
  bool is_mine(const UniqueFd& fd) const {
    struct stat a {}, b {};
    return ::fstat(fd.get(), &a) == 0 && ::fstat(read_end.get(), &b) == 0 && a.st_ino == b.st_ino;
  }
};

const std::string kGetfd = R"({"execute":"getfd","arguments":{"fdname":"x"},"id":"g"})";

TEST(ProxyRouterFds, DescriptorsGoUpWithTheFirstByteOfTheirCommandAndAreClosedWhenTheWriteIsDone) {
  Harness h;
  h.open_upstream();
  const auto c = h.negotiated_client();
  h.from_client(c, R"({"execute":"query-status"})" "\n");
  h.take_upstream();
  Pipe p;
  h.from_client(c, kGetfd + "\n", p.give());
  const auto up = h.take_upstream();
  ASSERT_EQ(h.fd_writes.size(), 1u);
  EXPECT_EQ(h.fd_writes[0].bytes, up);  // a write of its own, starting with the command
  EXPECT_EQ(up, R"({"execute":"getfd","arguments":{"fdname":"x"},"id":)" + upstream_id(up) + "}\n");
  ASSERT_EQ(h.fd_writes[0].fds.size(), 1u);
  EXPECT_TRUE(p.is_mine(h.fd_writes[0].fds[0]));
  EXPECT_EQ(h.router.fds_held(), 0u);
  EXPECT_FALSE(p.closed_everywhere());
  h.fd_writes.clear();  // the asio layer closes its copy once written
  EXPECT_TRUE(p.closed_everywhere());
  h.from_qemu(R"({"return": {}, "id": )" + upstream_id(up) + "}\r\n");
  EXPECT_EQ(h.take(c), R"({"return": {}, "id": "g"})" "\r\n");
}

// The kernel ends a read after the message that carried descriptors, so they belong to the last line that begins
// in that read.
TEST(ProxyRouterFds, DescriptorsBelongToTheLastLineThatBeginsInTheirRead) {
  Harness h;
  h.open_upstream();
  const auto c = h.negotiated_client();
  {
    SCOPED_TRACE("an earlier command in the same read");
    Pipe p;
    h.from_client(c, R"({"execute":"query-status","id":1})" "\n" + kGetfd + "\n", p.give());
    ASSERT_EQ(h.fd_writes.size(), 1u);
    EXPECT_EQ(h.fd_writes[0].bytes.rfind(R"({"execute":"getfd")", 0), 0u) << h.fd_writes[0].bytes;
    const auto up = h.take_upstream();
    EXPECT_EQ(up.rfind(R"({"execute":"query-status")", 0), 0u);  // written before, without them
    h.from_qemu(R"({"return": {}, "id": )" + upstream_id(h.fd_writes[0].bytes) + "}\r\n");
    h.fd_writes.clear();
  }
  {
    SCOPED_TRACE("a lone space before the command (qemu.qmp's send_fd_scm)");
    Pipe p;
    h.from_client(c, " ", p.give());
    EXPECT_TRUE(h.fd_writes.empty());
    EXPECT_EQ(h.router.fds_held(), 1u);
    h.from_client(c, kGetfd + "\n");
    ASSERT_EQ(h.fd_writes.size(), 1u);
    EXPECT_EQ(h.fd_writes[0].bytes.rfind(R"( {"execute":"getfd")", 0), 0u) << h.fd_writes[0].bytes;
    EXPECT_TRUE(p.is_mine(h.fd_writes[0].fds[0]));
    h.from_qemu(R"({"return": {}, "id": )" + upstream_id(h.take_upstream()) + "}\r\n");
    h.fd_writes.clear();
  }
  {
    SCOPED_TRACE("the end of a line split over reads");
    Pipe p;
    h.from_client(c, kGetfd.substr(0, 10));
    h.from_client(c, kGetfd.substr(10) + "\n", p.give());
    ASSERT_EQ(h.fd_writes.size(), 1u);
    EXPECT_EQ(h.fd_writes[0].bytes.rfind(R"({"execute":"getfd")", 0), 0u) << h.fd_writes[0].bytes;
    h.take_upstream();
  }
}

TEST(ProxyRouterFds, ACommandWithDescriptorsWaitsForTheReplyToThePreviousOne) {
  Harness h;
  h.open_upstream();
  const auto a = h.negotiated_client();
  const auto b = h.negotiated_client();
  Pipe pa, pb;
  h.from_client(a, kGetfd + "\n", pa.give());
  const auto up_a = h.take_upstream();
  h.from_client(b, kGetfd + "\n", pb.give());
  h.from_client(b, R"({"execute":"query-status","id":"after"})" "\n");
  // QEMU keeps only the last descriptors it received: b's must not arrive before a's getfd has run.
  EXPECT_EQ(h.take_upstream(), "");
  EXPECT_EQ(h.router.fds_held(), 1u);
  h.from_qemu(R"({"return": {}, "id": )" + upstream_id(up_a) + "}\r\n");
  const auto up_b = h.take_upstream();
  ASSERT_EQ(h.fd_writes.size(), 2u);
  EXPECT_TRUE(pb.is_mine(h.fd_writes[1].fds[0]));
  // b's later command went with it, behind it.
  EXPECT_EQ(h.fd_writes[1].bytes, up_b);
  EXPECT_NE(up_b.find(R"({"execute":"query-status")"), std::string::npos) << up_b;
  EXPECT_EQ(up_b.rfind(R"({"execute":"getfd")", 0), 0u) << up_b;
}

TEST(ProxyRouterFds, GetfdAndAddFdWithoutDescriptorsAreAnsweredWithQemusErrorAndNotForwarded) {
  Harness h;
  h.open_upstream();
  const auto c = h.negotiated_client();
  h.from_client(c, kGetfd + "\n");
  h.from_client(c, R"({"execute":"add-fd","arguments":{"fdset-id":1}})" "\n");
  EXPECT_EQ(h.take_upstream(), "");
  EXPECT_EQ(h.take(c),
            R"({"id":"g","error":{"class":"GenericError","desc":"No file descriptor supplied via SCM_RIGHTS"}})" "\r\n"
            R"({"error":{"class":"GenericError","desc":"No file descriptor supplied via SCM_RIGHTS"}})" "\r\n");
}

TEST(ProxyRouterFds, DescriptorsNotPassedOnAreClosed) {
  {
    SCOPED_TRACE("with a command the router answers itself");
    Harness h;
    h.open_upstream();
    const auto c = h.router.add_client();
    h.run();
    Pipe p;
    h.from_client(c, kGetfd + "\n", p.give());  // before qmp_capabilities
    EXPECT_NE(h.take(c).find("CommandNotFound"), std::string::npos);
    EXPECT_TRUE(p.closed_everywhere());
  }
  {
    SCOPED_TRACE("with a line the client never finished");
    Harness h;
    h.open_upstream();
    const auto c = h.negotiated_client();
    Pipe p;
    h.from_client(c, kGetfd, p.give());
    EXPECT_FALSE(p.closed_everywhere());
    h.router.client_closed(c);
    EXPECT_TRUE(p.closed_everywhere());
  }
  {
    SCOPED_TRACE("waiting for another command's reply when QEMU goes away");
    Harness h;
    h.open_upstream();
    const auto c = h.negotiated_client();
    Pipe p1, p2;
    h.from_client(c, kGetfd + "\n", p1.give());
    h.from_client(c, kGetfd + "\n", p2.give());
    EXPECT_EQ(h.router.fds_held(), 1u);
    h.router.upstream_closed();
    h.run();
    EXPECT_TRUE(p2.closed_everywhere());
    EXPECT_EQ(h.router.fds_held(), 0u);
  }
  {
    SCOPED_TRACE("for a client that was already closed");
    Harness h;
    h.open_upstream();
    const auto c = h.negotiated_client();
    h.router.client_closed(c);
    Pipe p;
    h.from_client(c, kGetfd + "\n", p.give());
    EXPECT_TRUE(p.closed_everywhere());
  }
}

}  // namespace
