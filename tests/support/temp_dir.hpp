// A temporary directory removed (with its content) when the object goes away.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace qmpc_test {

class TempDir {
 public:
  // Created under $TMPDIR (or /tmp) as "<prefix>XXXXXX", mode 0700. Throws std::runtime_error on failure.
  explicit TempDir(std::string_view prefix = "qmpc-test-");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const noexcept { return path_; }
  // path()/name as a string (what qemu-img and QEMU options want).
  std::string file(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace qmpc_test
