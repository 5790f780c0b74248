#include "qmp/line_framer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

namespace {

struct Framed {
  std::vector<std::string> lines;
  bool too_large = false;
};

enum class Input { fed, read_in_place };

// Feeds `chunks` in order (with feed(), or as a reader does: prepare(), copy, commit()) and collects every line.
Framed frame(const std::vector<std::string>& chunks, std::size_t max = 1 << 20, Input how = Input::fed) {
  qmp::LineFramer f(max);
  Framed out;
  for (const auto& c : chunks) {
    if (how == Input::fed) {
      f.feed(c);
    } else {
      // Room for more than arrives, as a read of up to 64 KiB that returns fewer bytes.
      const std::span<char> room = f.prepare(c.size() + 7);
      std::copy(c.begin(), c.end(), room.begin());
      f.commit(c.size());
    }
    std::string_view line;
    for (;;) {
      const auto st = f.next(line);
      if (st == qmp::LineFramer::Status::line) {
        out.lines.emplace_back(line);
        continue;
      }
      if (st == qmp::LineFramer::Status::too_large) out.too_large = true;
      break;
    }
    if (out.too_large) break;
  }
  return out;
}

const std::string kStream =
    "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n"
    "{\"return\": {}, \"id\": 1}\r\n"
    "{\"event\": \"JOB_STATUS_CHANGE\", \"data\": {\"status\": \"created\", \"id\": \"job0\"}}\r\n"
    "{\"return\": {}}\n"
    "\r\n"
    "{\"return\": [], \"id\": 2}\r\n";

const std::vector<std::string> kExpected = {
    "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}",
    "{\"return\": {}, \"id\": 1}",
    "{\"event\": \"JOB_STATUS_CHANGE\", \"data\": {\"status\": \"created\", \"id\": \"job0\"}}",
    "{\"return\": {}}",
    "{\"return\": [], \"id\": 2}",
};

TEST(LineFramer, WholeStreamInOneRead) { EXPECT_EQ(frame({kStream}).lines, kExpected); }

TEST(LineFramer, EverySplitPointGivesTheSameLines) {
  for (std::size_t i = 0; i <= kStream.size(); ++i) {
    SCOPED_TRACE("split at " + std::to_string(i));
    EXPECT_EQ(frame({kStream.substr(0, i), kStream.substr(i)}).lines, kExpected);
  }
}

TEST(LineFramer, EveryPairOfSplitPointsGivesTheSameLines) {
  for (std::size_t i = 0; i <= kStream.size(); i += 3) {
    for (std::size_t j = i; j <= kStream.size(); ++j) {
      ASSERT_EQ(frame({kStream.substr(0, i), kStream.substr(i, j - i), kStream.substr(j)}).lines, kExpected)
          << "splits at " << i << " and " << j;
    }
  }
}

TEST(LineFramer, ReadInPlaceAtEveryPairOfSplitPointsGivesTheSameLines) {
  for (std::size_t i = 0; i <= kStream.size(); i += 3) {
    for (std::size_t j = i; j <= kStream.size(); ++j) {
      ASSERT_EQ(frame({kStream.substr(0, i), kStream.substr(i, j - i), kStream.substr(j)}, 1 << 20,
                      Input::read_in_place)
                    .lines,
                kExpected)
          << "splits at " << i << " and " << j;
    }
  }
}

TEST(LineFramer, ReadInPlaceOneByteAtATime) {
  std::vector<std::string> bytes;
  for (char c : kStream) bytes.emplace_back(1, c);
  EXPECT_EQ(frame(bytes, 1 << 20, Input::read_in_place).lines, kExpected);
}

TEST(LineFramer, ReadInPlaceReportsAnOversizedLineBeforeItsEnd) {
  const auto out = frame({std::string(64, 'x'), std::string(64, 'y')}, 100, Input::read_in_place);
  EXPECT_TRUE(out.too_large);
  EXPECT_TRUE(out.lines.empty());
}

TEST(LineFramer, NothingCommittedAddsNothing) {
  qmp::LineFramer f;
  f.feed("{\"return\"");
  (void)f.prepare(65536);
  f.commit(0);  // a read that returned no bytes
  EXPECT_EQ(f.pending_bytes(), 9u);
  const std::span<char> room = f.prepare(16);
  const std::string rest = ": {}}\r\n";
  std::copy(rest.begin(), rest.end(), room.begin());
  f.commit(rest.size());
  std::string_view line;
  ASSERT_EQ(f.next(line), qmp::LineFramer::Status::line);
  EXPECT_EQ(line, "{\"return\": {}}");
}

TEST(LineFramer, OneByteAtATime) {
  std::vector<std::string> bytes;
  for (char c : kStream) bytes.emplace_back(1, c);
  EXPECT_EQ(frame(bytes).lines, kExpected);
}

TEST(LineFramer, CrLfSplitBetweenReadsLeavesNoCarriageReturn) {
  const auto out = frame({"{\"return\": {}}\r", "\n{\"return\": 1}\r", "\n"});
  EXPECT_EQ(out.lines, (std::vector<std::string>{"{\"return\": {}}", "{\"return\": 1}"}));
}

TEST(LineFramer, PartialLineIsHeldUntilTerminated) {
  qmp::LineFramer f;
  f.feed("{\"return\"");
  std::string_view line;
  EXPECT_EQ(f.next(line), qmp::LineFramer::Status::need_more);
  EXPECT_EQ(f.pending_bytes(), 9u);
  f.feed(": {}}\r\n");
  ASSERT_EQ(f.next(line), qmp::LineFramer::Status::line);
  EXPECT_EQ(line, "{\"return\": {}}");
  EXPECT_EQ(f.consumed(), 16u);
}

TEST(LineFramer, OversizedLineIsReportedBeforeItsEndArrives) {
  const auto out = frame({std::string(64, 'x'), std::string(64, 'y')}, 100);
  EXPECT_TRUE(out.too_large);
  EXPECT_TRUE(out.lines.empty());
}

TEST(LineFramer, LineOfExactlyTheMaximumIsAccepted) {
  const auto out = frame({std::string(100, 'x') + "\r", "\n"}, 100);
  EXPECT_FALSE(out.too_large);
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(out.lines[0].size(), 100u);
}

TEST(LineFramer, OversizedCompleteLineInOneReadIsReported) {
  const auto out = frame({"{}\n" + std::string(101, 'x') + "\n"}, 100);
  EXPECT_TRUE(out.too_large);
  EXPECT_EQ(out.lines, (std::vector<std::string>{"{}"}));
}

TEST(LineFramer, BufferDoesNotGrowPastOneLineAndOneRead) {
  qmp::LineFramer f(1000);
  std::string_view line;
  for (int i = 0; i < 10000; ++i) {
    f.feed("{\"event\": \"X\"}\r\n{\"ev");
    while (f.next(line) == qmp::LineFramer::Status::line) {
    }
    f.feed("ent\": \"Y\"}\r\n");
    while (f.next(line) == qmp::LineFramer::Status::line) {
    }
    ASSERT_EQ(f.pending_bytes(), 0u);
  }
}

}  // namespace
