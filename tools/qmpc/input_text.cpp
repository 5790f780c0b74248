#include "input_text.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace qmpc {

std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes, std::string* error) {
  const bool from_stdin = path == "-";
  const std::string name = from_stdin ? std::string("standard input") : path;
  std::FILE* f = from_stdin ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    *error = "cannot read " + name + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char buffer[65536];
  bool failed = false;
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, f);
    text.append(buffer, n);
    if (text.size() > max_bytes) {
      *error = name + " is larger than " + std::to_string(max_bytes) + " bytes";
      failed = true;
      break;
    }
    if (n < sizeof buffer) {
      if (std::ferror(f)) {
        *error = "cannot read " + name + ": " + std::strerror(errno);
        failed = true;
      }
      break;
    }
  }
  if (!from_stdin) std::fclose(f);
  if (failed) return std::nullopt;
  return text;
}

}  // namespace qmpc
