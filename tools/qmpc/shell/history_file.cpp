#include "shell/history_file.hpp"

#include "files/private_files.hpp"

#include "qmp/unique_fd.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qmpc::shell {

namespace {

constexpr std::size_t kMaxFileBytes = 16u << 20;

bool absolute(const char* p) { return p && p[0] == '/'; }

bool fail(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return false;
}

bool fail_errno(std::string* error, const std::string& doing) {
  return fail(error, doing + ": " + std::strerror(errno));
}

// A regular file of this user, or why not.
bool usable(int fd, const std::string& path, std::string* error) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail_errno(error, "cannot inspect '" + path + "'");
  if (!S_ISREG(st.st_mode)) return fail(error, "'" + path + "' is not a regular file");
  if (st.st_uid != ::geteuid()) return fail(error, "'" + path + "' belongs to another user");
  if (static_cast<std::size_t>(st.st_size) > kMaxFileBytes) return fail(error, "'" + path + "' is larger than 16 MiB");
  return true;
}

}  // namespace

std::string history_path(const char* xdg_state_home, const char* home) {
  if (absolute(xdg_state_home)) return std::string(xdg_state_home) + "/qmpc/history";
  if (absolute(home)) return std::string(home) + "/.qmpc_history";
  return {};
}

std::string history_path_from_environment() { return history_path(std::getenv("XDG_STATE_HOME"), std::getenv("HOME")); }

std::vector<std::string> HistoryFile::load(std::string* error) {
  if (error) error->clear();
  lines_.clear();
  file_lines_ = 0;
  if (path_.empty()) {
    fail(error, "no history file (neither XDG_STATE_HOME nor HOME is an absolute path)");
    return {};
  }
  const qmp::UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno != ENOENT) fail_errno(error, "cannot open '" + path_ + "'");
    return {};
  }
  if (!usable(fd.get(), path_, error)) return {};
  const auto read = read_all(fd.get(), kMaxFileBytes);
  if (!read) {
    if (errno == EFBIG)
      fail(error, "'" + path_ + "' is larger than 16 MiB");
    else
      fail_errno(error, "cannot read '" + path_ + "'");
    return {};
  }
  const std::string& text = *read;
  std::vector<std::string> all;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) all.emplace_back(text, pos, end - pos);
    pos = end + 1;
  }
  file_lines_ = all.size();
  const std::size_t first = all.size() > keep_ ? all.size() - keep_ : 0;
  lines_.assign(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first)),
                std::make_move_iterator(all.end()));
  return lines_;
}

bool HistoryFile::append(std::string_view line, std::string* error) {
  if (path_.empty()) return fail(error, "no history file (neither XDG_STATE_HOME nor HOME is an absolute path)");
  if (line.empty() || line.find_first_of(std::string_view("\n\0", 2)) != std::string_view::npos) return true;
  if (!make_private_folders(path_.substr(0, path_.rfind('/')), error)) return false;
  const qmp::UniqueFd fd(
      ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!fd) return fail_errno(error, "cannot open '" + path_ + "'");
  if (!usable(fd.get(), path_, error)) return false;
  if (!qmp::write_all(fd.get(), std::string(line) + "\n")) return fail_errno(error, "cannot write '" + path_ + "'");
  lines_.emplace_back(line);
  if (lines_.size() > keep_) lines_.erase(lines_.begin());
  if (++file_lines_ > 2 * keep_) return rewrite(error);
  return true;
}

bool HistoryFile::rewrite(std::string* error) {
  load(error);  // what other shells appended meanwhile counts too
  std::string text;
  for (const auto& l : lines_) text += l + "\n";
  std::random_device random;
  char suffix[20];
  std::snprintf(suffix, sizeof suffix, ".%08x.tmp", static_cast<unsigned>(random()));
  const std::string temporary = path_ + suffix;
  const qmp::UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return fail_errno(error, "cannot create '" + temporary + "'");
  const bool written = qmp::write_all(fd.get(), text);
  if (!written || ::rename(temporary.c_str(), path_.c_str()) != 0) {
    const int why = errno;
    ::unlink(temporary.c_str());
    errno = why;
    return fail_errno(error, std::string(written ? "cannot rename into '" : "cannot write '") + path_ + "'");
  }
  file_lines_ = lines_.size();
  return true;
}

}  // namespace qmpc::shell
