#include "detail/machine_argv.hpp"

#include <gtest/gtest.h>

namespace {

using Argv = std::vector<std::string>;

qmp::MachineOptions options(Argv args, bool bare = true) {
  qmp::MachineOptions o;
  o.binary = "qemu-system-x86_64";
  o.args = std::move(args);
  o.bare = bare;
  return o;
}

TEST(MachineArgv, BareMachineWithTheMonitorOnTheSocketpair) {
  EXPECT_EQ(qmp::detail::build_argv(options({"-S"}), ""),
            (Argv{"qemu-system-x86_64", "-M", "none", "-nodefaults", "-display", "none", "-S", "-chardev",
                  "socket,id=qmpc-qmp,fd=3", "-mon", "chardev=qmpc-qmp,mode=control"}));
}

TEST(MachineArgv, TheCallersMachineAndDisplayWin) {
  auto argv = qmp::detail::build_argv(options({"-machine", "q35", "-nographic"}), "");
  EXPECT_EQ(argv, (Argv{"qemu-system-x86_64", "-nodefaults", "-machine", "q35", "-nographic", "-chardev",
                        "socket,id=qmpc-qmp,fd=3", "-mon", "chardev=qmpc-qmp,mode=control"}));
  argv = qmp::detail::build_argv(options({"--M=pc", "-display", "gtk", "-nodefaults"}), "");
  EXPECT_EQ(argv, (Argv{"qemu-system-x86_64", "--M=pc", "-display", "gtk", "-nodefaults", "-chardev",
                        "socket,id=qmpc-qmp,fd=3", "-mon", "chardev=qmpc-qmp,mode=control"}));
}

TEST(MachineArgv, NotBareAddsOnlyTheMonitor) {
  auto o = options({"-c", "exit 0"}, false);
  o.binary = "/bin/sh";
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  EXPECT_EQ(qmp::detail::build_argv(o, "/tmp/d/qmp.sock"),
            (Argv{"/bin/sh", "-c", "exit 0", "-qmp", "unix:/tmp/d/qmp.sock,server=on,wait=off"}));
}

TEST(MachineArgv, CommasInTheSocketPathAreDoubled) {
  auto o = options({});
  o.monitor = qmp::MachineOptions::Monitor::unix_socket;
  EXPECT_EQ(qmp::detail::build_argv(o, "/tmp/a,b/qmp.sock").back(), "unix:/tmp/a,,b/qmp.sock,server=on,wait=off");
}

TEST(ExitStatus, DescribesExitCodesAndSignals) {
  EXPECT_EQ((qmp::ExitStatus{true, 0, 0}).describe(), "exit code 0");
  EXPECT_EQ((qmp::ExitStatus{true, 1, 0}).describe(), "exit code 1");
  EXPECT_EQ((qmp::ExitStatus{false, -1, 9}).describe(), "killed by SIGKILL");
  EXPECT_EQ((qmp::ExitStatus{false, -1, 15}).describe(), "killed by SIGTERM");
  EXPECT_EQ(qmp::ExitStatus{}.describe(), "unknown exit status");
}

}  // namespace
