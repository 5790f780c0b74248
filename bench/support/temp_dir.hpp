// A scratch directory for images and sockets, removed with its content at the end of a benchmark.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace qmpc_bench {

class TempDir {
 public:
  // Under $QMPC_BENCH_DIR, else $TMPDIR, else /var/tmp (on disk rather than tmpfs, for image benchmarks).
  explicit TempDir(std::string_view prefix = "qmpc-bench-");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const noexcept { return path_; }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace qmpc_bench
