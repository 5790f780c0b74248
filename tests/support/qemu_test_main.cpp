// main() of the test programs that start QEMU tools: the QEMU installation chosen with QMPC_QEMU_DIR comes first
// in PATH before any test runs, for the tests and every process they start.
#include "support/qemu_tools.hpp"

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  qmpc_test::put_qemu_dir_first_in_path();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
