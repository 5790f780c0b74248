// The scripted QMP server, driven by a plain socket client (no Session), so the fake itself is known
// to be right before anything is tested against it.
#include "support/deadline.hpp"
#include "support/scripted_server.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

namespace {

namespace asio = boost::asio;
using asio::local::stream_protocol;
using qmpc_test::run_with_deadline;
using qmpc_test::ScriptedServer;
using namespace std::chrono_literals;

// A minimal line client over the socket.
struct Client {
  stream_protocol::socket socket;
  std::string buffer;

  asio::awaitable<std::string> line() {
    auto [ec, n] =
        co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\n", asio::as_tuple(asio::use_awaitable));
    if (ec) co_return "<" + ec.message() + ">";
    std::string l = buffer.substr(0, n);
    buffer.erase(0, n);
    co_return l;
  }
  asio::awaitable<void> send(std::string text) {
    co_await asio::async_write(socket, asio::buffer(text), asio::as_tuple(asio::use_awaitable));
  }
  // What the next read ends with: the error of a read that gets no data.
  asio::awaitable<boost::system::error_code> end_of_stream() {
    char c;
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(&c, 1), asio::as_tuple(asio::use_awaitable));
    co_return n ? boost::system::error_code{} : ec;
  }
};

const std::string capabilities = "{\"execute\": \"qmp_capabilities\", \"id\": 1}\n";

Client client_of(asio::io_context& ioc, ScriptedServer& server) {
  return Client{stream_protocol::socket(ioc, stream_protocol(), server.release_client_fd()), {}};
}

TEST(ScriptedServer, GreetsEchoesIdsAndSendsEventsInScriptOrder) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  Client c = client_of(ioc, server);
  std::string checked_arguments;
  server.send_greeting()
      .expect("qmp_capabilities")
      .expect("blockdev-mirror", "",
              [&](const qmp::Message& m) { checked_arguments = qmp::json::to_string(*qmp::json::find(m.json(), "arguments")); })
      .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
      .send_line(R"({"return": {}, "id": $ID})")
      .expect("query-status", R"({"return": {"status": "running"}, "id": $ID})")
      .close();
  server.start();

  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, std::string(qmpc_test::qemu_7_2_greeting) + "\r\n");
    }
    co_await c.send(capabilities);
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": {}, \"id\": 1}\r\n");
    }
    co_await c.send(R"({"execute": "blockdev-mirror", "arguments": {"job-id": "job0"}, "id": {"tag": [1, "x"]}})" "\n");
    std::string event = co_await c.line();
    EXPECT_NE(event.find(R"("event": "JOB_STATUS_CHANGE", "data": {"status": "created", "id": "job0"})"),
              std::string::npos) << event;
    EXPECT_EQ(event.rfind(R"({"timestamp": {"seconds": )", 0), 0u) << event;
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": {}, \"id\": {\"tag\":[1,\"x\"]}}\r\n");
    }
    co_await c.send(R"({"execute": "query-status"})" "\n");  // no id: none in the reply
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": {\"status\": \"running\"}}\r\n");
    }
    {
      auto got = co_await c.end_of_stream();
      EXPECT_EQ(got, asio::error::eof);
    }
    co_await server.wait_done();
  });
  EXPECT_TRUE(server.finished());
  EXPECT_EQ(checked_arguments, R"({"job-id":"job0"})");
  ASSERT_EQ(server.received().size(), 3u);
  EXPECT_EQ(server.received()[2], R"({"execute": "query-status"})");
}

TEST(ScriptedServer, SendsRawBytesExactlyAndPauses) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  Client c = client_of(ioc, server);
  server.send_raw("{\"return\": {}}\r").pause(20ms).send_raw("\n\x01garbage\r\n").close();
  server.start();
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": {}}\r\n");
    }
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "\x01garbage\r\n");
    }
    {
      auto got = co_await c.end_of_stream();
      EXPECT_EQ(got, asio::error::eof);
    }
  });
  EXPECT_TRUE(server.finished());
}

TEST(ScriptedServer, CommandsSentInOneWriteAreReadOneByOne) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  Client c = client_of(ioc, server);
  server.expect("a", R"({"return": 1, "id": $ID})").expect("b", R"({"return": 2, "id": $ID})").close();
  server.start();
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    co_await c.send("{\"execute\": \"a\", \"id\": 1}\r\n\n{\"execute\": \"b\", \"id\": 2}\n");
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": 1, \"id\": 1}\r\n");
    }
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": 2, \"id\": 2}\r\n");
    }
    {
      auto got = co_await c.end_of_stream();
      EXPECT_EQ(got, asio::error::eof);
    }
  });
  EXPECT_TRUE(server.finished());
}

TEST(ScriptedServer, ResetAfterACommandGivesTheClientConnectionReset) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  Client c = client_of(ioc, server);
  server.expect("quit").reset();
  server.start();
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    co_await c.send(R"({"execute": "quit", "id": 9})" "\n");
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": {}, \"id\": 9}\r\n");  // the reply still arrives first
    }
    {
      auto got = co_await c.end_of_stream();
      EXPECT_EQ(got, asio::error::connection_reset);
    }
  });
}

TEST(ScriptedServer, IgnoreForeverRecordsButNeverAnswers) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  Client c = client_of(ioc, server);
  server.send_greeting().ignore_forever();
  server.start();
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    co_await c.line();
    co_await c.send(capabilities);
    co_await qmpc_test::sleep_for(50ms);
    c.socket.close();
    co_await server.wait_done();
  });
  EXPECT_EQ(c.buffer, "");
  ASSERT_EQ(server.received().size(), 1u);
}

TEST(ScriptedServer, ServesAUnixSocketPath) {
  asio::io_context ioc;
  qmpc_test::TempDir dir;
  ScriptedServer server(ioc.get_executor(), dir.file("qmp.sock"));
  server.handshake().close();
  server.start();
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    Client c{stream_protocol::socket(ioc), {}};
    c.socket.connect(stream_protocol::endpoint(dir.file("qmp.sock")));
    std::string greeting = co_await c.line();
    EXPECT_NE(greeting.find("\"QMP\""), std::string::npos);
    co_await c.send(capabilities);
    {
      auto got = co_await c.line();
      EXPECT_EQ(got, "{\"return\": {}, \"id\": 1}\r\n");
    }
    {
      auto got = co_await c.end_of_stream();
      EXPECT_EQ(got, asio::error::eof);
    }
  });
  EXPECT_TRUE(server.finished());
}

// Divergences must fail the test that uses the server.
void run_diverging(std::string sent, ScriptedServer& server, asio::io_context& ioc) {
  Client c = client_of(ioc, server);
  server.start();
  run_with_deadline(ioc, [&]() -> asio::awaitable<void> {
    co_await c.send(sent);
    {
      auto got = co_await c.end_of_stream();
      EXPECT_EQ(got, asio::error::eof);  // the server hangs up on a divergence
    }
  });
}

TEST(ScriptedServer, ReportsAnotherCommandThanExpected) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  server.expect("query-status");
  EXPECT_NONFATAL_FAILURE(run_diverging("{\"execute\": \"quit\"}\n", server, ioc),
                          "expected command 'query-status', got: {\"execute\": \"quit\"}");
  EXPECT_FALSE(server.finished());
  EXPECT_TRUE(server.done());
}

TEST(ScriptedServer, ReportsALineThatIsNotACommand) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  server.expect("query-status");
  EXPECT_NONFATAL_FAILURE(run_diverging("[1, 2]\n", server, ioc), "a line that is not a command: [1, 2]");
}

TEST(ScriptedServer, ReportsEndOfStreamWhileACommandIsExpected) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  Client c = client_of(ioc, server);
  server.expect("query-status");
  server.start();
  EXPECT_NONFATAL_FAILURE(run_with_deadline(ioc,
                                            [&]() -> asio::awaitable<void> {
                                              c.socket.close();
                                              co_await server.wait_done();
                                            }),
                          "but the client closed the connection");
}

TEST(ScriptedServer, ReportsCommandsAfterTheEndOfTheScript) {
  asio::io_context ioc;
  ScriptedServer server(ioc.get_executor());
  Client c = client_of(ioc, server);
  server.send_greeting();
  server.start();
  EXPECT_NONFATAL_FAILURE(run_with_deadline(ioc,
                                            [&]() -> asio::awaitable<void> {
                                              co_await c.line();
                                              co_await c.send("{\"execute\": \"stop\"}\n");
                                              co_await qmpc_test::sleep_for(50ms);
                                            }),
                          "unexpected line after the end of the script");
  EXPECT_TRUE(server.finished());
}

TEST(RunWithDeadline, FailsWhenTheCoroutineDoesNotFinishInTime) {
  asio::io_context ioc;
  EXPECT_NONFATAL_FAILURE(
      run_with_deadline(ioc, []() -> asio::awaitable<void> { co_await qmpc_test::sleep_for(10s); }, 50ms),
      "did not finish within 50 ms");
}

}  // namespace
