#include "fake_monitor.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace qmpc_cli_test {

FakeMonitor::FakeMonitor(std::string path, const std::function<void(qmpc_test::ScriptedServer&)>& script) {
  server_ = std::make_unique<qmpc_test::ScriptedServer>(ioc_.get_executor(), std::move(path));
  script(*server_);
  server_->start();
  thread_ = std::thread([this] {
    auto guard = boost::asio::make_work_guard(ioc_);
    ioc_.run_for(std::chrono::seconds(60));
  });
}

FakeMonitor::~FakeMonitor() {
  boost::asio::post(ioc_, [this] {
    server_.reset();
    ioc_.stop();
  });
  thread_.join();
}

}  // namespace qmpc_cli_test
