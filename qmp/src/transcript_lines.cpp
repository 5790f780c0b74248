#include "qmp/transcript_lines.hpp"

#include "qmp/transcript_error.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace qmp {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

// Splits the complete lines off the front of `data` (all of it when `at_end`: the rest is a last line without
// '\n'). Returns the bytes consumed, or npos after an error (set in ec/diag).
std::size_t split(std::string_view data, bool at_end, std::size_t& line_no, std::size_t max,
                  const LineHandler& on_line, error_code& ec, Diagnostics& diag) {
  const auto too_long = [&] {
    ec = transcript_errc::line_too_long;
    diag.what = "line " + std::to_string(line_no) + " is longer than the limit of " + std::to_string(max) + " bytes";
    return std::string_view::npos;
  };
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos && !at_end) {
      // A partial line: fail as soon as it is too long, even before its end is read (a '\r' may end it).
      std::size_t partial = data.size() - pos;
      if (data.back() == '\r') --partial;
      if (partial > max) {
        ++line_no;
        return too_long();
      }
      return pos;
    }
    const std::size_t end = nl == std::string_view::npos ? data.size() : nl;
    const std::string_view text = data.substr(pos, end - pos);
    ++line_no;
    if (text.size() - (!text.empty() && text.back() == '\r' ? 1 : 0) > max) return too_long();
    if (!on_line(TextLine{line_no, text, nl != std::string_view::npos})) return std::string_view::npos;
    pos = end + (nl == std::string_view::npos ? 0 : 1);
  }
  return pos;
}

bool system_error(const char* what, const std::string& path, int err, error_code& ec, Diagnostics& diag) {
  ec = error_code(err, boost::system::system_category());
  diag.what = std::string(what) + " '" + path + "': " + std::strerror(err);
  return false;
}

}  // namespace

bool for_each_line(std::string_view text, std::size_t max_line_bytes, const LineHandler& on_line, error_code& ec,
                   Diagnostics& diag) {
  std::size_t line_no = 0;
  return split(text, true, line_no, max_line_bytes, on_line, ec, diag) != std::string_view::npos;
}

bool for_each_file_line(const std::string& path, std::size_t max_line_bytes, const LineHandler& on_line,
                        error_code& ec, Diagnostics& diag) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return system_error("cannot open", path, errno, ec, diag);
  std::string buf;  // the unfinished line, then what the last read added
  std::size_t line_no = 0;
  bool ok = true;
  for (;;) {
    const std::size_t old = buf.size();
    buf.resize(old + kChunk);
    const ssize_t n = ::read(fd, buf.data() + old, kChunk);
    if (n < 0 && errno == EINTR) {
      buf.resize(old);
      continue;
    }
    if (n < 0) {
      ok = system_error("cannot read", path, errno, ec, diag);
      break;
    }
    buf.resize(old + static_cast<std::size_t>(n));
    const std::size_t used = split(buf, n == 0, line_no, max_line_bytes, on_line, ec, diag);
    if (used == std::string_view::npos) {
      ok = false;
      break;
    }
    if (n == 0) break;
    buf.erase(0, used);
  }
  ::close(fd);
  return ok;
}

}  // namespace qmp
