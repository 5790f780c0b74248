// Drives a qmp::ProxyRouter in the unit tests as the asio layer would, recording what it writes where.
#pragma once

#include "qmp/proxy_router.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace qmpc_test {

using qmp::ProxyRouter;
using Kind = ProxyRouter::Action::Kind;

inline const std::string kGreeting =
    R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u22"}, "capabilities": ["oob"]}})"
    "\r\n";

// Drives a router as the asio layer would: writes complete at once, except for clients marked as not reading.
struct Harness {
  explicit Harness(qmp::ProxyRouterOptions opts = {}) : router(opts) {}

  ProxyRouter router;
  std::string upstream;                       // everything written to QEMU
  struct FdWrite {
    std::string bytes;  // written with the descriptors on their first byte
    std::vector<qmp::UniqueFd> fds;
  };
  std::vector<FdWrite> fd_writes;
  std::map<ProxyRouter::ClientId, std::string> out;  // everything written to each client
  std::map<ProxyRouter::ClientId, std::string> closed;  // closed clients and why
  std::set<ProxyRouter::ClientId> not_reading;
  std::vector<std::string> notes;
  std::string close_all;
  int opened = 0;
  std::vector<ProxyRouter::ClientId> resumed;

  void run() {
    for (;;) {
      auto actions = router.take_actions();
      if (actions.empty()) return;
      for (auto& a : actions) {
        switch (a.kind) {
          case Kind::write_upstream:
            for (auto o = router.take_upstream_output(); !o.empty(); o = router.take_upstream_output()) {
              if (!o.fds.empty()) fd_writes.push_back(FdWrite{o.bytes, std::move(o.fds)});
              upstream += o.bytes;
            }
            break;
          case Kind::write_client:
            if (!not_reading.count(a.client)) {
              out[a.client] += router.take_client_output(a.client);
              router.client_output_written(a.client);
            }
            break;
          case Kind::close_client: closed[a.client] = a.reason; break;
          case Kind::resume_client: resumed.push_back(a.client); break;
          case Kind::open: ++opened; break;
          case Kind::close_all: close_all = a.reason; break;
          case Kind::note: notes.push_back(a.reason); break;
        }
      }
    }
  }
  void from_qemu(std::string_view bytes) {
    router.upstream_bytes(bytes);
    run();
  }
  void from_client(ProxyRouter::ClientId c, std::string_view bytes, std::vector<qmp::UniqueFd> fds = {}) {
    router.client_bytes(c, bytes, std::move(fds));
    run();
  }
  std::string take_upstream() { return std::exchange(upstream, {}); }
  std::string take(ProxyRouter::ClientId c) { return std::exchange(out[c], {}); }

  // Greeting and negotiation with QEMU done.
  void open_upstream() {
    from_qemu(kGreeting);
    EXPECT_EQ(take_upstream(), "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]},\"id\":0}\n");
    from_qemu("{\"return\": {}, \"id\": 0}\r\n");
    EXPECT_EQ(opened, 1);
  }
  // A client that received its greeting and negotiated.
  ProxyRouter::ClientId negotiated_client() {
    const auto c = router.add_client();
    run();
    EXPECT_NE(take(c).find("\"QMP\""), std::string::npos);
    from_client(c, "{\"execute\":\"qmp_capabilities\"}\n");
    EXPECT_EQ(take(c), "{\"return\":{}}\r\n");
    return c;
  }
};

// The number QEMU would echo for the command just written upstream.
inline std::string upstream_id(const std::string& line) {
  const auto key = line.rfind("\"id\"");
  EXPECT_NE(key, std::string::npos) << line;
  if (key == std::string::npos) return {};
  const auto at = line.find_first_not_of(" :", key + 4);
  const auto end = line.find_first_not_of("0123456789", at);
  return line.substr(at, end - at);
}

}  // namespace qmpc_test
