// The qemu-img / qemu-io helpers of the test support library.
#include "support/image_tools.hpp"
#include "support/qemu_tools.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace {

using qmpc_test::MiB;

class ImageTools : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!qmpc_test::run_process({qmpc_test::qemu_tool("qemu-img"), "--version"}).ok()) GTEST_SKIP() << "qemu-img is not installed";
  }
  qmpc_test::TempDir dir;
};

TEST_F(ImageTools, CreatesImagesAndComparesTheirContents) {
  const auto a = dir.file("a.qcow2"), b = dir.file("b.raw");
  ASSERT_TRUE(qmpc_test::create_image(a, {"qcow2", 8 * MiB, 2 * MiB, 0x5a}));
  ASSERT_TRUE(qmpc_test::create_image(b, {"raw", 8 * MiB, 2 * MiB, 0x5a}));
  EXPECT_EQ(std::filesystem::file_size(b), 8 * MiB);
  EXPECT_TRUE(qmpc_test::images_identical(a, b));

  ASSERT_TRUE(qmpc_test::write_pattern(b, "raw", 4 * MiB, 64 * 1024, 0x01));
  EXPECT_FALSE(qmpc_test::images_identical(a, b));

  auto info = qmpc_test::qemu_img("info", "--output=json", a);
  EXPECT_NE(info.output.find("\"format\": \"qcow2\""), std::string::npos) << info.output;
}

TEST_F(ImageTools, AFailingToolFailsTheTest) {
  const auto missing = dir.file("missing.qcow2");
  EXPECT_NONFATAL_FAILURE(qmpc_test::qemu_img("info", missing), "qemu-img info");
  EXPECT_NONFATAL_FAILURE(qmpc_test::images_identical(missing, missing), "could not compare");
}

TEST(ProcessRunner, CapturesOutputAndExitCode) {
  auto r = qmpc_test::run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_EQ(qmpc_test::run_process({"/nonexistent/program"}).exit_code, 127);
}

}  // namespace
