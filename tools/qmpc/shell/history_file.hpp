// The history of `qmpc shell`, kept across runs in one file of lines, oldest first. No terminal.
//
//   $XDG_STATE_HOME/qmpc/history      when XDG_STATE_HOME is an absolute path
//   ~/.qmpc_history                   otherwise
//
// The folder below XDG_STATE_HOME is created 0700 and the file 0600. A symbolic link in place of the file, or a
// file of another user, is neither read nor written (the shell then keeps history for this run only). Each line
// is appended as it is typed (O_APPEND: two shells at once interleave, neither loses lines); once the file holds
// twice the lines kept, it is rewritten with the newest ones only (written aside, then renamed over it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc::shell {

// The history file for the given values of XDG_STATE_HOME and HOME (either may be null); "" when neither is an
// absolute path.
std::string history_path(const char* xdg_state_home, const char* home);
std::string history_path_from_environment();

class HistoryFile {
 public:
  explicit HistoryFile(std::string path, std::size_t keep = 1000) : path_(std::move(path)), keep_(keep) {}

  const std::string& path() const noexcept { return path_; }

  // The newest `keep` lines, oldest first; none when the file is missing or may not be read (`error` says why,
  // "" for a file that is simply not there yet).
  std::vector<std::string> load(std::string* error = nullptr);
  // Appends `line` (one line: a line with a newline or NUL in it is not kept); false with `error` set when the file
  // cannot be written.
  bool append(std::string_view line, std::string* error = nullptr);

 private:
  bool rewrite(std::string* error);

  std::string path_;
  std::size_t keep_;
  std::vector<std::string> lines_;  // what the file holds, as far as this shell knows (for rewrite())
  std::size_t file_lines_ = 0;      // lines in the file
};

}  // namespace qmpc::shell
