#include "cli/mirror_report.hpp"

#include <gtest/gtest.h>

namespace {

using namespace qmpc::cli;

TEST(MirrorReport, SummaryJsonHasEveryField) {
  MirrorSummary s{"pivoted", "job0", 16777216, 16777216, 89.76, 119.4449, 98, ""};
  EXPECT_EQ(summary_json(s),
            R"({"result":"pivoted","job":"job0","len":16777216,"offset":16777216,"ready_ms":89.76,)"
            R"("done_ms":119.445,"pivot_us":98})");
  MirrorSummary f{"failed", "j\"1", 0, 0, std::nullopt, 3.0, std::nullopt, "Input/output error"};
  EXPECT_EQ(summary_json(f),
            R"({"result":"failed","job":"j\"1","len":0,"offset":0,"ready_ms":null,"done_ms":3,"pivot_us":null,)"
            R"("error":"Input/output error"})");
}

TEST(MirrorReport, SummaryLineForHumans) {
  MirrorSummary s{"pivoted", "job0", 16u << 20, 16u << 20, 89.76, 119.4, 98, ""};
  EXPECT_EQ(summary_line(s), "pivoted: job job0, 16 MiB of 16 MiB copied; ready after 90 ms, pivot sent 98 us after "
                             "ready, completed after 119 ms");
  s.result = "finished";
  EXPECT_EQ(summary_line(s).find("pivot"), std::string::npos) << summary_line(s);
  EXPECT_NE(summary_line(s).find("finish sent 98 us after ready"), std::string::npos) << summary_line(s);
  MirrorSummary t{"timeout", "j", 0, 0, std::nullopt, 1000.0, std::nullopt, "aborted"};
  EXPECT_EQ(summary_line(t), "timeout: job j; aborted");
}

TEST(MirrorReport, ProgressAndStatusObjects) {
  ProgressSample p{1048576, 4194304, 0, 2097152.4, std::chrono::milliseconds(1500), false, {}};
  EXPECT_EQ(progress_json(p, 12.5),
            R"({"type":"progress","t_ms":12.5,"offset":1048576,"len":4194304,"speed":0,"rate":2097152,)"
            R"("eta_ms":1500,"ready":false})");
  EXPECT_EQ(status_json("running", "ready", 3), R"({"type":"status","t_ms":3,"from":"running","to":"ready"})");
  EXPECT_EQ(event_json("ready", 1, R"("source":"BLOCK_JOB_READY")"),
            R"({"type":"ready","t_ms":1,"source":"BLOCK_JOB_READY"})");
}

TEST(MirrorReport, ProgressBar) {
  ProgressSample p{1u << 20, 4u << 20, 0, 1048576, std::chrono::milliseconds(3000), false, {}};
  EXPECT_EQ(progress_bar(p, 8), "[##......]  25%  1 MiB/s  ETA 3s");
  p.ready = true;
  p.offset = p.len;
  EXPECT_EQ(progress_bar(p, 8), "[########] 100%  1 MiB/s  ready");
  ProgressSample empty;
  EXPECT_EQ(progress_bar(empty, 4), "[....]   0%  0 B/s");
  // offset == len before the job said ready is not 100%; the status is shown.
  ProgressSample race{4 * 1024 * 1024, 4 * 1024 * 1024, 0, 0, std::nullopt, false, "running"};
  EXPECT_EQ(progress_bar(race, 8), "[#######.]  99%  0 B/s");
  race.status = "paused";
  EXPECT_EQ(progress_bar(race, 8), "[#######.]  99%  0 B/s  paused");
  race.ready = true;
  race.status = "standby";
  EXPECT_EQ(progress_bar(race, 8), "[########] 100%  0 B/s  standby");
}

}  // namespace
