// Which QEMU the benchmarks start: qemu-system-x86_64, or $QMPC_BENCH_QEMU.
#pragma once

#include "qmp/machine.hpp"

#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

namespace qmpc_bench {

std::string qemu_binary();
// A bare machine (-M none -nodefaults -display none) with `extra` arguments; QMP on a socketpair.
qmp::MachineOptions bare_qemu(std::vector<std::string> extra = {});

// A bare machine whose QMP monitor is a UNIX socket left free for the benchmark's own clients, run on `ioc`:
// started by the constructor (which throws when QEMU is not up within 30 s), stopped by stop().
class UnixSocketQemu {
 public:
  explicit UnixSocketQemu(boost::asio::io_context& ioc, std::vector<std::string> extra = {});
  const std::string& socket_path() const { return machine_.socket_path(); }
  void stop();

 private:
  boost::asio::io_context& ioc_;
  qmp::Machine machine_;
};

}  // namespace qmpc_bench
