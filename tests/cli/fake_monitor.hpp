// A scripted fake QMP monitor on a UNIX socket, served from its own thread, for what QEMU will not do on demand
// (never answer, send garbage). Wraps qmpc_test::ScriptedServer.
#pragma once

#include "support/scripted_server.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace qmpc_cli_test {

class FakeMonitor {
 public:
  // `script` appends steps to the server; serving starts at once.
  FakeMonitor(std::string path, const std::function<void(qmpc_test::ScriptedServer&)>& script);
  ~FakeMonitor();  // stops serving
  FakeMonitor(const FakeMonitor&) = delete;
  FakeMonitor& operator=(const FakeMonitor&) = delete;

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<qmpc_test::ScriptedServer> server_;
  std::thread thread_;
};

}  // namespace qmpc_cli_test
