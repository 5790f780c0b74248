#include <mirror/progress_meter.hpp>
#include <mirror/start_command.hpp>

#include <gtest/gtest.h>

namespace mirror {
namespace {

TEST(StartCommand, DriveMirrorCarriesEveryOption) {
  JobOptions o;
  o.device = "disk0";
  o.target = DriveTarget{"/t.qcow2", "qcow2", DriveTarget::Mode::existing};
  o.job_id = "job0";
  o.sync = SyncMode::top;
  o.speed = 1048576;
  o.granularity = 65536;
  o.buf_size = 8388608;
  o.on_source_error = "stop";
  o.on_target_error = "enospc";
  o.copy_mode = "write-blocking";
  o.unmap = false;
  o.auto_finalize = false;
  o.auto_dismiss = false;
  std::string why;
  auto c = build_start_command(o, &why);
  ASSERT_TRUE(c) << why;
  EXPECT_EQ(c->name, "drive-mirror");
  EXPECT_EQ(c->arguments,
            R"({"job-id":"job0","device":"disk0","target":"/t.qcow2","format":"qcow2","mode":"existing","sync":"top",)"
            R"("speed":1048576,"granularity":65536,"buf-size":8388608,"on-source-error":"stop",)"
            R"("on-target-error":"enospc","copy-mode":"write-blocking","unmap":false,"auto-finalize":false,)"
            R"("auto-dismiss":false})");
}

TEST(StartCommand, BlockdevMirrorWithDefaultsIsMinimal) {
  JobOptions o;
  o.device = "src0";
  o.target = BlockdevTarget{"tgt"};
  o.job_id = "job0";
  auto c = build_start_command(o);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "blockdev-mirror");
  EXPECT_EQ(c->arguments, R"({"job-id":"job0","device":"src0","target":"tgt","sync":"full"})");
}

TEST(StartCommand, RefusesWhatQemuWouldRefuse) {
  JobOptions o;
  o.device = "src0";
  o.target = BlockdevTarget{"tgt"};
  std::string why;
  o.unmap = true;
  EXPECT_FALSE(build_start_command(o, &why));
  EXPECT_NE(why.find("unmap"), std::string::npos) << why;
  o.unmap.reset();
  o.on_target_error = "sideways";
  EXPECT_FALSE(build_start_command(o, &why));
  EXPECT_NE(why.find("sideways"), std::string::npos) << why;
  o.on_target_error.reset();
  o.device.clear();
  EXPECT_FALSE(build_start_command(o, &why));
  o.device = "src0";
  o.target = BlockdevTarget{""};
  EXPECT_FALSE(build_start_command(o, &why));
  o.target = DriveTarget{"", "", DriveTarget::Mode::absolute_paths};
  EXPECT_FALSE(build_start_command(o, &why));
}

TEST(ProgressMeter, MeasuresRateAndEtaButNeverReadiness) {
  ProgressMeter m;
  const auto t0 = qmp::Clock::time_point{} + std::chrono::seconds(100);
  auto p = m.sample(t0, 0, 100 * 1024 * 1024, 0, false);
  EXPECT_EQ(p.rate, 0);
  EXPECT_FALSE(p.eta);
  p = m.sample(t0 + std::chrono::seconds(1), 10 * 1024 * 1024, 100 * 1024 * 1024, 0, false);
  EXPECT_DOUBLE_EQ(p.rate, 10.0 * 1024 * 1024);
  ASSERT_TRUE(p.eta);
  EXPECT_EQ(p.eta->count(), 9000);
  // 100%: the meter reports it, readiness stays what the job said.
  p = m.sample(t0 + std::chrono::seconds(2), 100 * 1024 * 1024, 100 * 1024 * 1024, 0, false);
  EXPECT_FALSE(p.ready);
  EXPECT_EQ(p.eta->count(), 0);
}

}  // namespace
}  // namespace mirror
