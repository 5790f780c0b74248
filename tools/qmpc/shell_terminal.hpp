// The terminal side of `qmpc shell`: libedit's line editor (its readline interface, in callback mode, so that the
// one thread also serves the monitor), history, Tab completion, and printing above the prompt.
//
// libedit keeps its state in globals: one ShellTerminal at a time. The caller waits for standard input to be
// readable and then calls read_input(); each line completed comes out of take_line(). After a line the prompt is
// down (nothing is read while a command runs) until show_prompt().
#pragma once

#include "shell/completion.hpp"

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmpc {

class ShellTerminal {
 public:
  // What Tab offers for the line up to the cursor.
  using Completer = std::function<shell::Completion(std::string_view line_before_cursor)>;

  ShellTerminal(const std::vector<std::string>& history, Completer completer);
  ~ShellTerminal();
  ShellTerminal(const ShellTerminal&) = delete;
  ShellTerminal& operator=(const ShellTerminal&) = delete;

  // Shows `prompt` and an empty line to edit (a no-op while the prompt is up).
  void show_prompt(const std::string& prompt);
  bool prompt_shown() const noexcept { return shown_; }
  // Takes the prompt and the line being typed off the screen, for good (the shell is ending).
  void close_prompt();
  // Lets libedit read what standard input holds (one key at a time). Readable with nothing to read (a hang-up, or
  // Ctrl-D typed while a command ran) is the end of input.
  void read_input();
  // The next line typed, if any: nullopt inside means end of input (Ctrl-D on an empty line).
  std::optional<std::optional<std::string>> take_line();
  void add_history(const std::string& line);

  // Prints `text` (one or more lines, no final newline) above the prompt and the line being typed, which are drawn
  // again below it; printed as it is when the prompt is down.
  void print_above(std::string_view text);
  // Ctrl-C at the prompt: the line typed is dropped and a fresh prompt shown.
  void discard_line();
  // The terminal's size changed.
  void resized();

 private:
  static void on_line(char* line);
  static char** on_complete(const char* text, int start, int end);

  Completer completer_;
  std::string prompt_;
  bool shown_ = false;
  std::deque<std::optional<std::string>> lines_;
};

}  // namespace qmpc
