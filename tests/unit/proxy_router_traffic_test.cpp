// ProxyRouterOptions::upstream_traffic: what `qmpc proxy --trace` records. QEMU's wire as QEMU sees it (the
// router's ids), in wire order, each line tagged with the client it concerns.
#include "proxy_router_harness.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using qmp::Direction;
using qmpc_test::Harness;
using qmpc_test::kGreeting;
using qmpc_test::upstream_id;

struct Seen {
  Direction direction;
  std::optional<std::uint64_t> client;
  std::string line;
};

struct TracedHarness {
  std::vector<Seen> seen;
  Harness h{[this] {
    qmp::ProxyRouterOptions o;
    o.upstream_traffic = [this](Direction d, std::optional<std::uint64_t> client, std::string_view line) {
      seen.push_back(Seen{d, client, std::string(line)});
    };
    return o;
  }()};
  std::vector<Seen> take() { return std::exchange(seen, {}); }
};

std::string tag(const std::optional<std::uint64_t>& c) { return c ? std::to_string(*c) : "-"; }

std::string render(const std::vector<Seen>& seen) {
  std::string out;
  for (const auto& s : seen)
    out += std::string(s.direction == Direction::to_qemu ? "> " : "< ") + tag(s.client) + " " + s.line + "\n";
  return out;
}

TEST(ProxyRouterTraffic, TheRoutersOwnNegotiationAndTheGreetingConcernNoClient) {
  TracedHarness t;
  t.h.open_upstream();
  EXPECT_EQ(render(t.take()), "< - " + kGreeting.substr(0, kGreeting.size() - 2) + "\n" +
                                  R"(> - {"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":0})" "\n"
                                  R"(< - {"return": {}, "id": 0})" "\n");
}

TEST(ProxyRouterTraffic, CommandsAndRepliesCarryTheirClientEventsNone) {
  TracedHarness t;
  t.h.open_upstream();
  const auto a = t.h.negotiated_client();
  const auto b = t.h.negotiated_client();
  t.take();  // the local greetings and negotiations are not QEMU's wire: nothing was seen
  // The same id from both clients, in one read each.
  t.h.from_client(a, R"({"execute":"query-status","id":1})" "\n");
  t.h.from_client(b, R"({"execute":"query-status","id":1})" "\n");
  const std::string up = t.h.take_upstream();
  const auto nl = up.find('\n');
  const std::string first = up.substr(0, nl), second = up.substr(nl + 1, up.size() - nl - 2);
  t.h.from_qemu(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})" "\r\n");
  t.h.from_qemu(R"({"return": {"status": "running"}, "id": )" + upstream_id(second) + "}\r\n" +
                R"({"return": {"status": "paused"}, "id": )" + upstream_id(first) + "}\r\n");
  EXPECT_EQ(render(t.take()),
            "> " + std::to_string(a) + " " + first + "\n" +                               //
                "> " + std::to_string(b) + " " + second + "\n" +                          //
                R"(< - {"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})" "\n" +  //
                "< " + std::to_string(b) + R"( {"return": {"status": "running"}, "id": )" + upstream_id(second) + "}\n" +
                "< " + std::to_string(a) + R"( {"return": {"status": "paused"}, "id": )" + upstream_id(first) + "}\n");
  EXPECT_NE(t.h.take(a).find(R"("status": "paused"}, "id": 1})"), std::string::npos);
}

TEST(ProxyRouterTraffic, ACommandIsSeenWhenItIsHandedOutNotWhenQueued) {
  TracedHarness t;
  t.h.open_upstream();
  const auto a = t.h.negotiated_client();
  const auto b = t.h.negotiated_client();
  t.take();
  t.h.router.client_bytes(a, R"({"execute":"stop","id":"x"})" "\n");
  t.h.router.client_bytes(b, R"({"execute":"cont"})" "\n");
  EXPECT_TRUE(t.seen.empty());  // queued for QEMU (in one chunk), not written yet
  t.h.run();
  ASSERT_EQ(t.seen.size(), 2u);
  EXPECT_EQ(t.seen[0].client, a);
  EXPECT_EQ(t.seen[0].line, R"({"execute":"stop","id":1})");
  EXPECT_EQ(t.seen[1].client, b);
  EXPECT_EQ(t.seen[1].line, R"({"execute":"cont","id":2})");
}

TEST(ProxyRouterTraffic, RepliesOfAClientGoneAndRepliesNoOneAwaitsAreStillSeen) {
  TracedHarness t;
  t.h.open_upstream();
  const auto a = t.h.negotiated_client();
  t.h.from_client(a, R"({"execute":"query-status"})" "\n");
  const std::string id = upstream_id(t.h.take_upstream());
  t.h.router.client_closed(a);
  t.take();
  t.h.from_qemu(R"({"return": {}, "id": )" + id + "}\r\n");
  t.h.from_qemu(R"({"return": {}, "id": 999})" "\r\n");
  t.h.from_qemu(R"({"error": {"class": "GenericError", "desc": "JSON parse error"}})" "\r\n");
  const auto seen = t.take();
  ASSERT_EQ(seen.size(), 3u) << render(seen);
  EXPECT_EQ(seen[0].client, a);  // due to client a, which left: dropped, but it was its reply
  EXPECT_EQ(seen[1].client, std::nullopt);
  EXPECT_EQ(seen[2].client, std::nullopt);
  EXPECT_EQ(t.h.router.dropped_replies(), 1u);
}

TEST(ProxyRouterTraffic, LocalAnswersAreNotSeen) {
  TracedHarness t;
  t.h.open_upstream();
  const auto a = t.h.negotiated_client();
  t.take();
  t.h.from_client(a, "garbage\n");
  t.h.from_client(a, R"({"execute":"getfd","arguments":{"fdname":"x"},"id":2})" "\n");
  t.h.from_client(a, R"({"execute":"qmp_capabilities","id":3})" "\n");
  EXPECT_EQ(render(t.take()), "");
  EXPECT_EQ(t.h.take_upstream(), "");
}

TEST(ProxyRouterTraffic, MalformedLinesFromQemuAreSeenBeforeTheRouterCloses) {
  TracedHarness t;
  t.h.open_upstream();
  t.take();
  t.h.from_qemu("{\"return\": \r\n");
  const auto seen = t.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].line, "{\"return\": ");
  EXPECT_FALSE(t.h.close_all.empty());
}

}  // namespace
