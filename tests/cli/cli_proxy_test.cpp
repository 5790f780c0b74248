// qmpc proxy against a real QEMU (and a fake monitor for an event flood): several clients on one monitor.
#include "cli_process.hpp"
#include "fake_monitor.hpp"

#include "qmp/fd_passing.hpp"
#include "qmp/transcript_reader.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

namespace {

using namespace qmpc_cli_test;

#define REQUIRE_QEMU() \
  if (!qemu_available()) GTEST_SKIP() << "qemu-system-x86_64 is not available"

// A plain QMP client speaking raw lines to the proxy, every read under a deadline.
class RawClient {
 public:
  explicit RawClient(const std::string& path) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
      if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return;
      ::close(fd_);
      fd_ = -1;
      std::this_thread::sleep_for(20ms);
    }
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  bool connected() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(const std::string& line) {
    const std::string bytes = line + "\n";
    ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  // The line in one message with `fds` passed along (SCM_RIGHTS).
  void send(const std::string& line, std::vector<int> fds) {
    const std::string bytes = line + "\n";
    ASSERT_EQ(qmp::send_with_fds(fd_, bytes, fds), static_cast<ssize_t>(bytes.size()));
  }
  // The next line without its "\r\n"; nullopt on EOF or when nothing came within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[65536];
      const auto n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) {
        eof_ = true;
        return std::nullopt;
      }
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // The next line that is not an event.
  std::optional<std::string> read_reply(std::chrono::milliseconds timeout = 10000ms) {
    for (;;) {
      auto line = read_line(timeout);
      if (!line || line->find("\"event\"") == std::string::npos) return line;
    }
  }
  // Reads until EOF (true) or the deadline (false).
  bool sees_eof(std::chrono::milliseconds timeout = 10000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_ && std::chrono::steady_clock::now() < deadline) read_line(100ms);
    return eof_;
  }
  // Greeting and qmp_capabilities; false when either went wrong.
  bool negotiate() {
    auto greeting = read_line();
    if (!greeting || greeting->find("\"QMP\"") == std::string::npos) return false;
    send(R"({"execute":"qmp_capabilities"})");
    auto reply = read_line();
    return reply && *reply == R"({"return":{}})";
  }

 private:
  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

struct Proxy {
  ScratchDir dir;
  std::string path = dir.file("proxy.sock");
  std::unique_ptr<Child> child;
  explicit Proxy(const std::string& upstream, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{qmpc_binary(), "-s", upstream, "--log-level", "info", "proxy", "--listen", path};
    argv.insert(argv.end(), extra.begin(), extra.end());
    child = std::make_unique<Child>(argv);
  }
  Outcome qmpc(std::vector<std::string> args) {
    args.insert(args.begin(), {"-s", path});
    return run_qmpc(args);
  }
};

TEST(CliProxy, TwoClientsWithTheSameIdsAtOnceGetOnlyTheirOwnReplies) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  Proxy proxy(qemu.socket());
  RawClient a(proxy.path), b(proxy.path);
  ASSERT_TRUE(a.connected() && b.connected());
  auto greeting = a.read_line();
  ASSERT_TRUE(greeting);
  EXPECT_NE(greeting->find(R"("qemu":{"micro")"), std::string::npos) << *greeting;
  EXPECT_NE(greeting->find(R"("capabilities":["oob"])"), std::string::npos) << *greeting;
  a.send(R"({"execute":"qmp_capabilities","arguments":{"enable":["oob"]}})");
  EXPECT_EQ(a.read_line(), R"({"return":{}})");
  ASSERT_TRUE(b.negotiate());
  // Both pipeline commands with the same ids, interleaved.
  for (int i = 0; i < 20; ++i) {
    a.send(R"({"execute":"query-status","id":)" + std::to_string(i) + "}");
    b.send(R"({"execute":"query-kvm","id":)" + std::to_string(i) + "}");
  }
  a.send(R"({"execute":"query-name","id":{"mine":[1, "a"]}})");
  b.send(R"({"execute":"no-such-command","id":"x1"})");
  for (int i = 0; i < 20; ++i) {
    auto ra = a.read_reply();
    auto rb = b.read_reply();
    ASSERT_TRUE(ra && rb);
    EXPECT_NE(ra->find("\"status\""), std::string::npos) << *ra;
    EXPECT_NE(ra->find("\"id\": " + std::to_string(i) + "}"), std::string::npos) << *ra;
    EXPECT_NE(rb->find("\"enabled\""), std::string::npos) << *rb;
    EXPECT_NE(rb->find("\"id\": " + std::to_string(i) + "}"), std::string::npos) << *rb;
  }
  EXPECT_EQ(a.read_reply(), R"({"return": {}, "id": {"mine":[1, "a"]}})");
  EXPECT_EQ(b.read_reply(),
            R"({"id": "x1", "error": {"class": "CommandNotFound", "desc": "The command no-such-command has not been found"}})");
  // A plain qmpc command through the proxy, while both stay connected.
  auto o = proxy.qmpc({"exec", "query-status"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("\"status\""), std::string::npos);
}

// --trace: one transcript of QEMU's wire in which each client's commands and replies carry its number.
TEST(CliProxy, TraceRecordsWhoDidWhatInOneTranscript) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  ScratchDir files;
  const std::string trace_file = files.file("proxy.qmpt");
  Proxy proxy(qemu.socket(), {"--trace", trace_file});
  // Connected one after the other: a is the proxy's client 1, b its client 2.
  RawClient a(proxy.path);
  ASSERT_TRUE(a.negotiate());
  RawClient b(proxy.path);
  ASSERT_TRUE(b.negotiate());
  for (int i = 0; i < 3; ++i) {
    a.send(R"({"execute":"query-status","id":)" + std::to_string(i) + "}");
    b.send(R"({"execute":"query-name","id":)" + std::to_string(i) + "}");
  }
  b.send(R"({"execute":"object-add","arguments":{"qom-type":"secret","id":"s0","data":"hunter2"},"id":"s"})");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.read_reply());
    ASSERT_TRUE(b.read_reply());
  }
  EXPECT_EQ(b.read_reply(), R"({"return": {}, "id": "s"})");
  a.send(R"({"execute":"quit","id":0})");
  auto p = proxy.child->wait(20000ms);
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find("client 1 connected"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("client 2 connected"), std::string::npos) << p.err;

  auto check = run_qmpc({"trace", "check", trace_file});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("0 error(s), 0 warning(s)"), std::string::npos) << check.out;

  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(trace_file, ec, diag);
  ASSERT_TRUE(t) << diag.what;
  EXPECT_EQ(t->header.qemu_version.empty(), false);
  // QEMU's wire: the greeting, the proxy's own negotiation (no client), then the clients' commands with the
  // proxy's ids, each reply tagged like the command it answers.
  ASSERT_GE(t->entries.size(), 4u);
  EXPECT_NE(t->entries[0].json.find("\"QMP\""), std::string::npos);
  EXPECT_EQ(t->entries[0].client, std::nullopt);
  EXPECT_NE(t->entries[1].json.find("qmp_capabilities"), std::string::npos);
  EXPECT_EQ(t->entries[1].client, std::nullopt);
  std::map<std::string, std::optional<std::uint64_t>> command_client;  // the proxy's id -> the command's client
  std::map<std::string, int> commands_of;  // "<client> <command>" -> count
  int replies = 0;
  for (const auto& e : t->entries) {
    auto m = e.to_message();
    ASSERT_TRUE(m) << e.json;
    const qmp::json::Value* id = m->id();
    if (m->kind() == qmp::MessageKind::command) {
      if (id) command_client[qmp::json::to_string(*id)] = e.client;
      commands_of[(e.client ? std::to_string(*e.client) : "-") + " " + std::string(m->command_name())]++;
    } else if (m->kind() == qmp::MessageKind::reply || m->kind() == qmp::MessageKind::error_reply) {
      ASSERT_TRUE(id) << e.json;
      EXPECT_EQ(e.client, command_client.at(qmp::json::to_string(*id))) << e.json;
      ++replies;
    } else {
      EXPECT_EQ(e.client, std::nullopt) << e.json;  // the greeting, events
    }
  }
  EXPECT_EQ(commands_of, (std::map<std::string, int>{{"- qmp_capabilities", 1},
                                                     {"1 query-status", 3},
                                                     {"1 quit", 1},
                                                     {"2 query-name", 3},
                                                     {"2 object-add", 1}}));
  EXPECT_GE(replies, 8);  // quit's reply may be lost when QEMU closes
  EXPECT_EQ(command_client.size(), 9u);  // the proxy's ids are unique though the clients' were the same
  const std::string text = [&] {
    std::ifstream in(trace_file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_NE(text.find(R"("dir":"to-qemu","client":2,"msg":{"execute":"query-name","id":)"), std::string::npos) << text;

  auto timeline = run_qmpc({"trace", "timeline", trace_file});
  EXPECT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_NE(timeline.out.find("\n  client 1: 4 command(s), "), std::string::npos) << timeline.out;
  EXPECT_NE(timeline.out.find(": query-status x3, quit\n"), std::string::npos) << timeline.out;
  EXPECT_NE(timeline.out.find("\n  client 2: 4 command(s), 4 replies, "), std::string::npos) << timeline.out;
  EXPECT_NE(timeline.out.find(": query-name x3, object-add\n"), std::string::npos) << timeline.out;
}

TEST(CliProxy, MirrorPivotsWhileAnotherClientSetsItsSpeedAndAThirdFollowsTheEvents) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  Proxy proxy(qemu.socket());
  for (const char* node : {"src", "tgt"}) {
    auto add = proxy.qmpc({"exec", "blockdev-add", "driver=null-co", std::string("node-name=") + node, "size=67108864"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  Child events({qmpc_binary(), "-s", proxy.path, "events", "--name", "STOP", "--name", "BLOCK_JOB_READY", "--name",
                "BLOCK_JOB_COMPLETED"});
  // The events client is connected once it prints the STOP caused now.
  std::optional<std::string> line;
  for (int i = 0; i < 100 && !line; ++i) {
    ASSERT_EQ(proxy.qmpc({"exec", "stop"}).exit_code, 0);
    ASSERT_EQ(proxy.qmpc({"exec", "cont"}).exit_code, 0);
    line = events.read_line(200ms);
  }
  ASSERT_TRUE(line);
  EXPECT_NE(line->find(R"("event":"STOP")"), std::string::npos) << *line;
  Child mirror({qmpc_binary(), "-s", proxy.path, "mirror", "--blockdev", "--device", "src", "--target", "tgt",
                "--job-id", "j0", "--bandwidth", "1", "--buf-size", "1M", "--pivot", "--json"});
  // At 1 byte/s the job cannot get ready before its speed is lifted.
  bool listed = false;
  for (int i = 0; i < 500 && !listed; ++i) {
    auto q = proxy.qmpc({"exec", "query-block-jobs"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    listed = q.out.find("\"j0\"") != std::string::npos;
    if (!listed) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(listed);
  auto speed = proxy.qmpc({"exec", "block-job-set-speed", "device=j0", "speed=0"});
  EXPECT_EQ(speed.exit_code, 0) << speed.err;
  auto m = mirror.wait(60000ms);
  EXPECT_EQ(m.exit_code, 0) << m.err;
  // A node no device uses: the completion switches nothing over, so the summary says "completed".
  EXPECT_NE(m.out.find(R"("result":"completed")"), std::string::npos) << m.out;
  std::vector<std::string> seen;
  while (auto l = events.read_line(10000ms)) {
    seen.push_back(*l);
    if (l->find("BLOCK_JOB_COMPLETED") != std::string::npos) break;
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0].find("BLOCK_JOB_READY"), std::string::npos) << seen[0];
  EXPECT_NE(seen[1].find("BLOCK_JOB_COMPLETED"), std::string::npos) << seen[1];
  // quit is forwarded: QEMU exits, the events client and the proxy end cleanly.
  auto quit = proxy.qmpc({"exec", "quit"});
  EXPECT_EQ(quit.exit_code, 0) << quit.err;
  EXPECT_EQ(events.wait(20000ms).exit_code, 0);
  auto p = proxy.child->wait(20000ms);
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_FALSE(std::filesystem::exists(proxy.path));
}

TEST(CliProxy, AClientKilledMidCommandDisturbsNobody) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  Proxy proxy(qemu.socket());
  RawClient other(proxy.path);
  ASSERT_TRUE(other.negotiate());
  {
    RawClient gone(proxy.path);
    ASSERT_TRUE(gone.negotiate());
    for (int i = 0; i < 20; ++i) gone.send(R"({"execute":"query-qmp-schema","id":1})");
  }  // closed with 20 large replies due
  Child killed({qmpc_binary(), "-s", proxy.path, "exec", "query-qmp-schema"});
  killed.signal(SIGKILL);
  killed.wait(10000ms);
  for (int i = 0; i < 10; ++i) {
    other.send(R"({"execute":"query-status","id":1})");
    // The first waits behind the schemas QEMU builds for the others (seconds on a loaded machine).
    auto r = other.read_reply(i == 0 ? 60000ms : 10000ms);
    ASSERT_TRUE(r);
    EXPECT_NE(r->find(R"("status")"), std::string::npos) << *r;
    EXPECT_NE(r->find(R"("id": 1})"), std::string::npos) << *r;
  }
  auto o = proxy.qmpc({"exec", "query-status"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

TEST(CliProxy, QemuKilledClosesEveryClient) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  Proxy proxy(qemu.socket());
  RawClient a(proxy.path), b(proxy.path);
  ASSERT_TRUE(a.negotiate());
  ASSERT_TRUE(b.connected());
  ASSERT_TRUE(b.read_line());  // greeted, never negotiated
  Child events({qmpc_binary(), "-s", proxy.path, "events"});
  a.send(R"({"execute":"stop"})");
  std::optional<std::string> stop;
  while ((stop = events.read_line(200ms)) == std::nullopt) {
    a.send(R"({"execute":"cont"})");
    a.send(R"({"execute":"stop"})");
  }
  qemu.kill(SIGKILL);
  EXPECT_TRUE(a.sees_eof());
  EXPECT_TRUE(b.sees_eof());
  auto e = events.wait(20000ms);
  EXPECT_EQ(e.exit_code, 3) << e.err;
  auto p = proxy.child->wait(20000ms);
  EXPECT_EQ(p.exit_code, 3) << p.err;
  // A SIGKILLed QEMU's socket ends with EOF or a reset, depending on what was in flight.
  EXPECT_TRUE(p.err.find("QEMU closed the monitor connection") != std::string::npos ||
              p.err.find("reading from QEMU failed: Connection reset by peer") != std::string::npos)
      << p.err;
  EXPECT_FALSE(std::filesystem::exists(proxy.path));
}

// A pipe whose write end is passed on: its read end tells whether anybody (the proxy, QEMU) still holds it.
struct PassedPipe {
  int read_end = -1, write_end = -1;
  PassedPipe() {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    read_end = p[0];
    write_end = p[1];
  }
  ~PassedPipe() {
    if (read_end >= 0) ::close(read_end);
    drop_write_end();
  }
  void drop_write_end() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
  // Someone still holds the write end: reading finds nothing to read rather than EOF.
  bool held() const {
    char c;
    return ::read(read_end, &c, 1) < 0 && errno == EAGAIN;
  }
  // Waits (at most `timeout`) until every write end is closed.
  bool closed_everywhere(std::chrono::milliseconds timeout = 10000ms) const {
    pollfd p{read_end, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char c;
    return ::read(read_end, &c, 1) == 0;
  }
};

TEST(CliProxy, DescriptorsPassedWithGetfdAndAddFdReachQemu) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  Proxy proxy(qemu.socket());
  RawClient a(proxy.path), b(proxy.path);
  ASSERT_TRUE(a.negotiate());
  ASSERT_TRUE(b.negotiate());
  // getfd: QEMU holds the pipe (the proxy kept no copy) until closefd.
  PassedPipe pipe;
  a.send(R"({"execute":"getfd","arguments":{"fdname":"x"},"id":"g"})", {pipe.write_end});
  pipe.drop_write_end();
  EXPECT_EQ(a.read_reply(), R"({"return": {}, "id": "g"})");
  EXPECT_TRUE(pipe.held());
  b.send(R"({"execute":"closefd","arguments":{"fdname":"x"},"id":"c"})");  // any client may use the name
  EXPECT_EQ(b.read_reply(), R"({"return": {}, "id": "c"})");
  EXPECT_TRUE(pipe.closed_everywhere());
  // add-fd of an image file, then a block node opened through /dev/fdset/N.
  const std::string image = proxy.dir.file("disk.raw");
  ASSERT_EQ(run_program({qemu_tool("qemu-img"), "create", "-f", "raw", image, "1M"}).exit_code, 0);
  const int file = ::open(image.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(file, 0);
  b.send(R"({"execute":"add-fd","arguments":{"fdset-id":7,"opaque":"via-proxy"},"id":1})", {file});
  ::close(file);
  auto added = b.read_reply();
  ASSERT_TRUE(added);
  EXPECT_NE(added->find(R"("fdset-id": 7)"), std::string::npos) << *added;
  a.send(R"({"execute":"query-fdsets","id":2})");
  auto sets = a.read_reply();
  ASSERT_TRUE(sets);
  EXPECT_NE(sets->find(R"("opaque": "via-proxy")"), std::string::npos) << *sets;
  a.send(R"({"execute":"blockdev-add","arguments":{"driver":"file","filename":"/dev/fdset/7","node-name":"f0"},"id":3})");
  EXPECT_EQ(a.read_reply(), R"({"return": {}, "id": 3})");
  a.send(R"({"execute":"query-named-block-nodes","id":4})");
  auto nodes = a.read_reply();
  ASSERT_TRUE(nodes);
  EXPECT_NE(nodes->find(R"("node-name": "f0")"), std::string::npos) << *nodes;
  EXPECT_NE(nodes->find("/dev/fdset/7"), std::string::npos) << *nodes;
  // Without a descriptor, getfd gets QEMU's own error and takes nobody else's.
  b.send(R"({"execute":"getfd","arguments":{"fdname":"y"},"id":5})");
  EXPECT_EQ(b.read_reply(),
            R"({"id":5,"error":{"class":"GenericError","desc":"No file descriptor supplied via SCM_RIGHTS"}})");
}

// Sends `command` with a pipe's write end: the answer holds `expected`, and nobody holds the pipe afterwards.
void expect_refused_and_closed(RawClient& client, const std::string& command, const std::string& expected) {
  PassedPipe pipe;
  client.send(command, {pipe.write_end});
  pipe.drop_write_end();
  auto r = client.read_reply();
  ASSERT_TRUE(r);
  EXPECT_NE(r->find(expected), std::string::npos) << *r;
  EXPECT_TRUE(pipe.closed_everywhere());
}

TEST(CliProxy, ADescriptorPassedWithACommandQemuRefusesIsLeftOpenNowhere) {
  REQUIRE_QEMU();
  Qemu qemu;
  ASSERT_TRUE(qemu.ok());
  Proxy proxy(qemu.socket());
  RawClient a(proxy.path);
  ASSERT_TRUE(a.negotiate());
  // Refused by QEMU (which closes it), then by the proxy itself (not negotiated yet).
  expect_refused_and_closed(a, R"({"execute":"getfd","arguments":{"fdname":"1bad"},"id":1})", "GenericError");
  RawClient fresh(proxy.path);
  ASSERT_TRUE(fresh.read_line());
  expect_refused_and_closed(fresh, R"({"execute":"getfd","arguments":{"fdname":"z"}})", "CommandNotFound");
  {
    // A client that leaves with its command unfinished.
    RawClient gone(proxy.path);
    ASSERT_TRUE(gone.negotiate());
    PassedPipe pipe;
    ASSERT_EQ(qmp::send_with_fds(gone.fd(), R"({"execute":"getfd",)", std::vector<int>{pipe.write_end}), 19);
    pipe.drop_write_end();
    gone.close();
    EXPECT_TRUE(pipe.closed_everywhere());
  }
  a.send(R"({"execute":"query-status","id":2})");
  auto r = a.read_reply();
  ASSERT_TRUE(r);
  EXPECT_NE(r->find(R"("status")"), std::string::npos) << *r;
}

TEST(CliProxy, AMonitorThatNeverAppearsIsRetriedThenReported) {
  ScratchDir dir;
  const std::string missing = dir.file("no-qemu.sock");
  auto o = run_qmpc({"-s", missing, "--connect-timeout", "0.3", "proxy", "--listen", dir.file("proxy.sock")});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("cannot connect to unix:" + missing), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("retried"), std::string::npos) << o.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("proxy.sock")));
}

// Fake monitor: a client that never reads while QEMU floods events is disconnected; the reading one gets them all.
TEST(CliProxy, AClientThatNeverReadsDuringAnEventFloodIsDisconnected) {
  ScratchDir dir;
  const std::string upstream = dir.file("fake.sock");
  constexpr int kEvents = 40000;
  FakeMonitor fake(upstream, [](qmpc_test::ScriptedServer& s) {
    s.handshake().expect("flood", "");
    for (int i = 0; i < kEvents; ++i) s.send_event("BLOCK_IO_ERROR", R"({"device": "d", "operation": "write", "action": "ignore", "reason": "padding padding padding"})");
    s.send_line(R"({"return": {}, "id": $ID})").ignore_forever();
  });
  Proxy proxy(upstream, {"--client-queue", "1M"});
  RawClient slow(proxy.path), reader(proxy.path);
  ASSERT_TRUE(slow.negotiate());
  ASSERT_TRUE(reader.negotiate());
  reader.send(R"({"execute":"flood","id":"f"})");
  int events = 0;
  std::optional<std::string> reply;
  while (auto l = reader.read_line()) {
    if (l->find("BLOCK_IO_ERROR") != std::string::npos) {
      ++events;
      continue;
    }
    reply = l;
    break;
  }
  EXPECT_EQ(events, kEvents);
  EXPECT_EQ(reply, R"({"return": {}, "id": "f"})");
  // The proxy said why it dropped the other.
  std::string err;
  for (int i = 0; i < 100 && err.find("is not reading") == std::string::npos; ++i) {
    proxy.child->read_line(50ms);  // reads its stderr too
    err = proxy.child->err_so_far();
  }
  EXPECT_NE(err.find("client 1 is not reading"), std::string::npos) << err;
  EXPECT_TRUE(slow.sees_eof(30000ms));
}

}  // namespace
