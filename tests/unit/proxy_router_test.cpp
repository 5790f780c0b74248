#include "proxy_router_harness.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using qmp::ProxyRouter;
using Kind = ProxyRouter::Action::Kind;
using qmpc_test::Harness;
using qmpc_test::upstream_id;
using qmpc_test::kGreeting;

TEST(ProxyRouter, NegotiatesWithQemuAndBuildsTheClientGreetingFromQemus) {
  Harness h;
  EXPECT_FALSE(h.router.open());
  h.open_upstream();
  EXPECT_TRUE(h.router.open());
  EXPECT_EQ(h.router.qemu_version(), "7.2.22");
  const auto c = h.router.add_client();
  h.run();
  EXPECT_EQ(h.take(c),
            R"({"QMP":{"version":{"qemu":{"micro":22,"minor":2,"major":7},"package":"Debian 1:7.2+dfsg-7+deb12u22"},"capabilities":["oob"]}})"
            "\r\n");
}

TEST(ProxyRouter, WithoutOobUpstreamNeitherSideGetsIt) {
  Harness h;
  h.from_qemu(R"({"QMP": {"version": {"qemu": {"micro": 0, "minor": 0, "major": 5}, "package": ""}, "capabilities": []}})"
              "\n");
  EXPECT_EQ(h.take_upstream(), "{\"execute\":\"qmp_capabilities\",\"id\":0}\n");
  h.from_qemu("{\"return\": {}, \"id\": 0}\n");
  const auto c = h.router.add_client();
  h.run();
  EXPECT_NE(h.take(c).find(R"("capabilities":[])"), std::string::npos);
  h.from_client(c, R"({"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":1})" "\n");
  EXPECT_EQ(h.take(c), R"({"id":1,"error":{"class":"GenericError","desc":"Parameter 'null' does not accept value 'oob'"}})"
                       "\r\n");
}

TEST(ProxyRouter, QemuRefusingNegotiationClosesEverything) {
  Harness h;
  h.from_qemu(kGreeting);
  h.from_qemu(R"({"id": 0, "error": {"class": "GenericError", "desc": "no"}})" "\n");
  EXPECT_FALSE(h.router.open());
  EXPECT_NE(h.close_all.find("refused qmp_capabilities"), std::string::npos);
}

TEST(ProxyRouter, NotAGreetingClosesEverything) {
  Harness h;
  h.from_qemu("{\"return\": {}}\n");
  EXPECT_NE(h.close_all.find("no QMP greeting"), std::string::npos);
  const auto c = h.router.add_client();
  h.run();
  EXPECT_EQ(h.closed.count(c), 1u);
}

TEST(ProxyRouter, ClientNegotiatesLocallyAsQemuWould) {
  Harness h;
  h.open_upstream();
  const auto c = h.router.add_client();
  h.run();
  h.take(c);
  h.from_client(c, R"({"execute":"query-status","id":"a"})" "\n");
  EXPECT_EQ(h.take(c), R"({"id":"a","error":{"class":"CommandNotFound","desc":"Expecting capabilities negotiation with 'qmp_capabilities'"}})"
                       "\r\n");
  h.from_client(c, R"({"execute":"qmp_capabilities","arguments":{"enable":["bogus"]},"id":"b"})" "\n");
  EXPECT_EQ(h.take(c), R"({"id":"b","error":{"class":"GenericError","desc":"Parameter 'null' does not accept value 'bogus'"}})"
                       "\r\n");
  h.from_client(c, R"({"exec-oob":"query-status","id":"c"})" "\n");
  EXPECT_NE(h.take(c).find("QMP input member 'exec-oob' is unexpected"), std::string::npos);
  h.from_client(c, R"({"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":"d"})" "\n");
  EXPECT_EQ(h.take(c), R"({"return":{},"id":"d"})" "\r\n");
  h.from_client(c, R"({"execute":"qmp_capabilities","id":"e"})" "\n");
  EXPECT_EQ(h.take(c), R"({"id":"e","error":{"class":"CommandNotFound","desc":"Capabilities negotiation is already complete, command ignored"}})"
                       "\r\n");
  EXPECT_EQ(h.take_upstream(), "");  // none of this reached QEMU
  h.from_client(c, R"({"exec-oob":"x-oob-test","id":"f"})" "\n");
  EXPECT_NE(h.take_upstream().find(R"("exec-oob":"x-oob-test")"), std::string::npos);
}

TEST(ProxyRouter, MalformedClientInputIsAnsweredAndTheClientGoesOn) {
  Harness h;
  h.open_upstream();
  const auto c = h.negotiated_client();
  h.from_client(c, "garbage\n[1,2,3]\n{\"id\":1}\n{\"execute\":3,\"id\":2}\n");
  const auto replies = h.take(c);
  EXPECT_NE(replies.find(R"({"error":{"class":"GenericError","desc":"JSON parse error, )"), std::string::npos);
  EXPECT_NE(replies.find(R"({"error":{"class":"GenericError","desc":"QMP input must be a JSON object"}})"), std::string::npos);
  EXPECT_NE(replies.find(R"({"id":1,"error":{"class":"GenericError","desc":"QMP input lacks member 'execute'"}})"), std::string::npos);
  EXPECT_NE(replies.find(R"({"id":2,"error":{"class":"GenericError","desc":"QMP input member 'execute' must be a string"}})"), std::string::npos);
  EXPECT_EQ(h.take_upstream(), "");
  h.from_client(c, R"({"execute":"query-status","id":3})" "\n");
  EXPECT_NE(h.take_upstream(), "");
}

TEST(ProxyRouter, TwoClientsWithTheSameIdsGetOnlyTheirOwnReplies) {
  Harness h;
  h.open_upstream();
  const auto a = h.negotiated_client();
  const auto b = h.negotiated_client();
  h.from_client(a, R"({"execute":"query-status","id":"secret-a-1"})" "\n");
  const auto up_a = h.take_upstream();
  h.from_client(b, R"({"execute":"query-name","id":"secret-a-1"})" "\n");
  const auto up_b = h.take_upstream();
  // The upstream ids differ and carry nothing of the client's.
  EXPECT_EQ(up_a.find("secret"), std::string::npos);
  EXPECT_EQ(up_b.find("secret"), std::string::npos);
  EXPECT_NE(upstream_id(up_a), upstream_id(up_b));
  EXPECT_EQ(up_a, R"({"execute":"query-status","id":)" + upstream_id(up_a) + "}\n");
  // QEMU answers in the other order.
  h.from_qemu(R"({"return": {"name": "vm"}, "id": )" + upstream_id(up_b) + "}\r\n");
  h.from_qemu(R"({"return": {"status": "running"}, "id": )" + upstream_id(up_a) + "}\r\n");
  EXPECT_EQ(h.take(a), R"({"return": {"status": "running"}, "id": "secret-a-1"})" "\r\n");
  EXPECT_EQ(h.take(b), R"({"return": {"name": "vm"}, "id": "secret-a-1"})" "\r\n");
  EXPECT_EQ(h.router.pending_commands(), 0u);
}

TEST(ProxyRouter, TheClientsIdComesBackExactlyWhateverItsType) {
  Harness h;
  h.open_upstream();
  const auto c = h.negotiated_client();
  for (const std::string id : {"7", "-1", "3.5", "1.0", "1e300", "18446744073709551616", "null", "true", R"("s\u0041 \"q\"")",
                               "[1, 2,  {\"x\": [] }]", R"({"a":{"id":5}})", "\"\"", "0"}) {
    SCOPED_TRACE(id);
    h.from_client(c, "{ \"execute\": \"query-status\", \"id\" : " + id + " }\n");
    const auto up = h.take_upstream();
    EXPECT_EQ(up, "{ \"execute\": \"query-status\", \"id\" : " + upstream_id(up) + " }\n");
    h.from_qemu(R"({"return": {}, "id": )" + upstream_id(up) + "}\r\n");
    EXPECT_EQ(h.take(c), R"({"return": {}, "id": )" + id + "}\r\n");
  }
}

TEST(ProxyRouter, ACommandWithoutIdGetsItsReplyWithoutId) {
  Harness h;
  h.open_upstream();
  const auto c = h.negotiated_client();
  h.from_client(c, R"({"execute":"query-status","arguments":{"id":1}})" "\n");
  auto up = h.take_upstream();
  EXPECT_EQ(up, R"({"execute":"query-status","arguments":{"id":1},"id":)" + upstream_id(up) + "}\n");
  h.from_qemu(R"({"return": {"id": 9}, "id": )" + upstream_id(up) + "}\r\n");
  EXPECT_EQ(h.take(c), R"({"return": {"id": 9}})" "\r\n");
  // The id first, as some servers put it.
  h.from_client(c, R"({"execute":"query-status"})" "\n");
  up = h.take_upstream();
  h.from_qemu(R"({"id": )" + upstream_id(up) + R"(, "error": {"class": "GenericError", "desc": "x"}})" "\r\n");
  EXPECT_EQ(h.take(c), R"({"error": {"class": "GenericError", "desc": "x"}})" "\r\n");
}

TEST(ProxyRouter, EventsGoToEveryNegotiatedClientInQemusOrder) {
  Harness h;
  h.open_upstream();
  const auto a = h.negotiated_client();
  const auto late = h.router.add_client();  // not negotiated yet
  h.run();
  h.take(late);
  const std::string e1 = R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})";
  const std::string e2 = R"({"timestamp": {"seconds": 1, "microseconds": 3}, "event": "RESUME"})";
  h.from_qemu(e1 + "\r\n");
  h.from_client(late, "{\"execute\":\"qmp_capabilities\"}\n");
  h.take(late);
  h.from_qemu(e2 + "\r\n");
  EXPECT_EQ(h.take(a), e1 + "\r\n" + e2 + "\r\n");
  EXPECT_EQ(h.take(late), e2 + "\r\n");  // only what came after it negotiated
  EXPECT_EQ(h.router.events_forwarded(), 2u);
}

TEST(ProxyRouter, EventsBeforeTheReplyOfTheCommandThatCausedThemKeepTheirPlace) {
  Harness h;
  h.open_upstream();
  const auto a = h.negotiated_client();
  h.from_client(a, R"({"execute":"drive-mirror","id":"m"})" "\n");
  const auto id = upstream_id(h.take_upstream());
  h.from_qemu(R"({"event": "JOB_STATUS_CHANGE", "data": {"status": "created", "id": "job0"}})" "\r\n"
              R"({"return": {}, "id": )" + id + "}\r\n");
  EXPECT_EQ(h.take(a), R"({"event": "JOB_STATUS_CHANGE", "data": {"status": "created", "id": "job0"}})" "\r\n"
                       R"({"return": {}, "id": "m"})" "\r\n");
}

TEST(ProxyRouter, AClientGoneMidCommandHasItsReplyDroppedAndOthersGoOn) {
  Harness h;
  h.open_upstream();
  const auto a = h.negotiated_client();
  const auto b = h.negotiated_client();
  h.from_client(a, R"({"execute":"query-status","id":1})" "\n");
  const auto id_a = upstream_id(h.take_upstream());
  h.from_client(b, R"({"execute":"query-status","id":1})" "\n");
  const auto id_b = upstream_id(h.take_upstream());
  h.router.client_closed(a);
  h.from_qemu(R"({"return": {}, "id": )" + id_a + "}\r\n");
  h.from_qemu(R"({"return": {"b": 1}, "id": )" + id_b + "}\r\n");
  EXPECT_EQ(h.router.dropped_replies(), 1u);
  EXPECT_EQ(h.take(b), R"({"return": {"b": 1}, "id": 1})" "\r\n");
  EXPECT_EQ(h.take(a), "");
  EXPECT_TRUE(h.close_all.empty());
}

TEST(ProxyRouter, UnknownIdsAndIdlessRepliesFromQemuAreDroppedWithANote) {
  Harness h;
  h.open_upstream();
  const auto a = h.negotiated_client();
  h.from_qemu("{\"return\": {}, \"id\": 999}\r\n{\"return\": {}, \"id\": \"x\"}\r\n{\"error\": {\"class\": \"GenericError\", \"desc\": \"x\"}}\r\n");
  EXPECT_EQ(h.notes.size(), 3u);
  EXPECT_EQ(h.take(a), "");
  EXPECT_TRUE(h.close_all.empty());
}

TEST(ProxyRouter, AClientThatDoesNotReadIsClosedAndNobodyElseWaits) {
  qmp::ProxyRouterOptions opts;
  opts.client_queue_bytes = 4096;
  Harness h(opts);
  h.open_upstream();
  const auto slow = h.negotiated_client();
  const auto fast = h.negotiated_client();
  h.not_reading.insert(slow);
  const std::string event = R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "BLOCK_IO_ERROR", "data": {}})";
  std::size_t sent = 0;
  for (int i = 0; i < 1000; ++i) {
    h.from_qemu(event + "\r\n");
    ++sent;
    EXPECT_LE(h.router.client_backlog(slow), opts.client_queue_bytes);
  }
  ASSERT_EQ(h.closed.count(slow), 1u);
  EXPECT_NE(h.closed[slow].find("is not reading"), std::string::npos) << h.closed[slow];
  EXPECT_NE(h.closed[slow].find("limit of 4096"), std::string::npos) << h.closed[slow];
  EXPECT_FALSE(h.router.has_client(slow));
  std::string all;
  for (std::size_t i = 0; i < sent; ++i) all += event + "\r\n";
  EXPECT_EQ(h.take(fast), all);
  // Its late reply is dropped like a departed client's.
  EXPECT_EQ(h.router.client_count(), 1u);
}

// Several clients dropped by the same event, between clients that read: the fan-out goes on past each one
// dropped (an erase during the walk over the clients must not break it).
TEST(ProxyRouter, ClientsDroppedDuringOneEventsFanOutDoNotDisturbTheOthers) {
  qmp::ProxyRouterOptions opts;
  opts.client_queue_bytes = 1024;
  Harness h(opts);
  h.open_upstream();
  std::vector<ProxyRouter::ClientId> readers, slow;
  for (int i = 0; i < 8; ++i) {
    const auto c = h.negotiated_client();
    if (i % 2 == 0) {
      slow.push_back(c);
      h.not_reading.insert(c);
    } else {
      readers.push_back(c);
    }
  }
  const std::string event = R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})";
  std::string all;
  for (int i = 0; i < 200; ++i) {
    h.from_qemu(event + "\r\n");
    all += event + "\r\n";
  }
  for (auto c : slow) {
    EXPECT_EQ(h.closed.count(c), 1u) << c;
    EXPECT_FALSE(h.router.has_client(c)) << c;
  }
  for (auto c : readers) EXPECT_EQ(h.take(c), all) << c;
  EXPECT_EQ(h.router.client_count(), readers.size());
}

TEST(ProxyRouter, OneReplyLargerThanTheBoundStillReachesAClientThatReads) {
  qmp::ProxyRouterOptions opts;
  opts.client_queue_bytes = 100;
  Harness h(opts);
  h.open_upstream();
  const auto c = h.negotiated_client();
  h.from_client(c, R"({"execute":"query-qmp-schema","id":1})" "\n");
  const auto id = upstream_id(h.take_upstream());
  const std::string big(1000, 'x');
  h.from_qemu(R"({"return": [")" + big + R"("], "id": )" + id + "}\r\n");
  EXPECT_EQ(h.take(c), R"({"return": [")" + big + R"("], "id": 1})" "\r\n");
  EXPECT_TRUE(h.closed.empty());
}

TEST(ProxyRouter, TooManyCommandsInFlightPauseTheClientUntilRepliesComeBack) {
  qmp::ProxyRouterOptions opts;
  opts.client_in_flight = 2;
  Harness h(opts);
  h.open_upstream();
  const auto c = h.negotiated_client();
  h.from_client(c, "{\"execute\":\"a\",\"id\":1}\n{\"execute\":\"b\",\"id\":2}\n{\"execute\":\"c\",\"id\":3}\n");
  EXPECT_FALSE(h.router.may_read(c));
  auto up = h.take_upstream();
  EXPECT_EQ(up.find("\"c\""), std::string::npos);  // the third waits in the framer
  const auto first = upstream_id(up.substr(0, up.find('\n')));
  h.from_qemu(R"({"return": {}, "id": )" + first + "}\r\n");
  up = h.take_upstream();
  EXPECT_NE(up.find("\"execute\":\"c\""), std::string::npos);
  EXPECT_FALSE(h.router.may_read(c));  // again two in flight
  EXPECT_TRUE(h.resumed.empty());
  h.from_qemu(R"({"return": {}, "id": )" + upstream_id(up) + "}\r\n");
  EXPECT_TRUE(h.router.may_read(c));
  EXPECT_EQ(h.resumed, std::vector<ProxyRouter::ClientId>{c});
}

TEST(ProxyRouter, AnOverlongClientLineClosesThatClient) {
  qmp::ProxyRouterOptions opts;
  opts.max_line = 64;
  Harness h(opts);
  h.from_qemu(kGreeting.substr(0, 0));
  h.from_qemu(R"({"QMP":{"version":{},"capabilities":[]}})" "\n");
  h.take_upstream();
  h.from_qemu(R"({"return":{},"id":0})" "\n");
  const auto c = h.negotiated_client();
  h.from_client(c, std::string(100, ' '));
  ASSERT_EQ(h.closed.count(c), 1u);
  EXPECT_NE(h.closed[c].find("longer than 64"), std::string::npos);
}

TEST(ProxyRouter, QemuGoingAwayOrBreakingTheProtocolClosesEverything) {
  {
    Harness h;
    h.open_upstream();
    const auto c = h.negotiated_client();
    EXPECT_FALSE(h.router.shutdown_seen());
    h.from_qemu(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": false}})" "\r\n");
    EXPECT_TRUE(h.router.shutdown_seen());
    EXPECT_NE(h.take(c).find("SHUTDOWN"), std::string::npos);
    h.router.upstream_closed();
    h.run();
    EXPECT_EQ(h.close_all, "QEMU closed the connection");
    EXPECT_TRUE(h.router.closed());
  }
  {
    Harness h;
    h.open_upstream();
    h.from_qemu("{\"return\": \n");
    EXPECT_NE(h.close_all.find("malformed JSON"), std::string::npos);
  }
}

// The same traffic fed one byte at a time, in both directions, gives the same bytes out.
TEST(ProxyRouter, ByteByByteGivesTheSameResultAsWholeLines) {
  const std::string client_in = "{\"execute\":\"qmp_capabilities\"}\r\n{\"execute\":\"query-status\",\"id\":[1, \"a\"]}\n"
                                "\n{\"execute\":\"stop\"}\r\n";
  auto upstream_in = [](const std::string& up) {
    std::string ids[2];
    std::size_t at = 0;
    for (auto& id : ids) {
      const auto nl = up.find('\n', at);
      id = upstream_id(up.substr(at, nl - at));
      at = nl + 1;
    }
    return R"({"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}})" "\r\n"
           R"({"return": {"status": "paused"}, "id": )" + ids[0] + "}\r\n"
           R"({"return": {}, "id": )" + ids[1] + "}\n";
  };
  auto run = [&](bool bytewise) {
    Harness h;
    h.open_upstream();
    const auto c = h.router.add_client();
    h.run();
    if (bytewise)
      for (char ch : client_in) h.from_client(c, std::string_view(&ch, 1));
    else
      h.from_client(c, client_in);
    const auto up = h.take_upstream();
    const auto down = upstream_in(up);
    if (bytewise)
      for (char ch : down) h.from_qemu(std::string_view(&ch, 1));
    else
      h.from_qemu(down);
    return std::make_pair(up, h.take(c));
  };
  const auto whole = run(false);
  const auto bytes = run(true);
  EXPECT_EQ(whole, bytes);
  EXPECT_NE(whole.second.find(R"({"return": {"status": "paused"}, "id": [1, "a"]})" "\r\n"), std::string::npos);
  EXPECT_NE(whole.second.find(R"({"return": {}})" "\r\n"), std::string::npos);
}

}  // namespace
