#include "shell_terminal.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <editline/readline.h>

#include <sys/ioctl.h>
#include <unistd.h>

namespace qmpc {

namespace {

ShellTerminal* active = nullptr;  // libedit's callbacks take no context

// Word breaks as libedit should see them: a value is completed from just after its '='.
char kBreaks[] = " \t=";

char* copy(std::string_view s) {
  auto* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) return nullptr;
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

std::string common_prefix(const std::vector<std::string>& v) {
  std::string prefix = v.front();
  for (const auto& s : v) {
    std::size_t n = 0;
    while (n < prefix.size() && n < s.size() && prefix[n] == s[n]) ++n;
    prefix.resize(n);
  }
  return prefix;
}

}  // namespace

ShellTerminal::ShellTerminal(const std::vector<std::string>& history, Completer completer)
    : completer_(std::move(completer)) {
  active = this;
  rl_readline_name = "qmpc";
  rl_catch_signals = 0;  // SIGINT, SIGTERM and SIGWINCH are the shell's (asio signal_set)
  rl_catch_sigwinch = 0;
  rl_basic_word_break_characters = kBreaks;
  rl_completer_word_break_characters = kBreaks;
  rl_attempted_completion_function = &ShellTerminal::on_complete;
  using_history();
  for (const auto& line : history) ::add_history(line.c_str());
}

ShellTerminal::~ShellTerminal() {
  if (shown_) {
    rl_callback_handler_remove();
    std::fputs("\n", stdout);
    std::fflush(stdout);
  }
  active = nullptr;
}

void ShellTerminal::show_prompt(const std::string& prompt) {
  if (shown_) return;
  prompt_ = prompt;
  shown_ = true;
  std::fflush(stdout);
  rl_callback_handler_install(prompt_.c_str(), &ShellTerminal::on_line);
}

void ShellTerminal::close_prompt() {
  if (!shown_) return;
  rl_callback_handler_remove();
  shown_ = false;
  std::fputs("\r\033[K", stdout);
  std::fflush(stdout);
}

void ShellTerminal::read_input() {
  // Readable with nothing to read: the terminal hung up, or an end of input (Ctrl-D) was typed while the prompt was
  // down (the terminal then in its normal mode), which libedit would read as nothing at all.
  int available = 0;
  if (::ioctl(STDIN_FILENO, FIONREAD, &available) == 0 && available == 0) {
    if (shown_) rl_callback_handler_remove();
    shown_ = false;
    std::fputs("\n", stdout);
    std::fflush(stdout);
    lines_.emplace_back(std::nullopt);
    return;
  }
  if (shown_) rl_callback_read_char();
}

std::optional<std::optional<std::string>> ShellTerminal::take_line() {
  if (lines_.empty()) return std::nullopt;
  auto line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

void ShellTerminal::add_history(const std::string& line) { ::add_history(line.c_str()); }

void ShellTerminal::print_above(std::string_view text) {
  if (shown_) std::fputs("\r\033[K", stdout);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  if (shown_) rl_forced_update_display();
}

void ShellTerminal::discard_line() {
  if (!shown_) return;
  std::fputs("^C\n", stdout);
  rl_callback_handler_remove();
  std::fflush(stdout);
  rl_callback_handler_install(prompt_.c_str(), &ShellTerminal::on_line);
}

void ShellTerminal::resized() { rl_resize_terminal(); }

void ShellTerminal::on_line(char* line) {
  // The line is done: the prompt goes down until the shell has answered it.
  rl_callback_handler_remove();
  if (!active) {
    std::free(line);
    return;
  }
  active->shown_ = false;
  if (line) {
    active->lines_.emplace_back(std::string(line));
    std::free(line);
  } else {
    std::fputs("\n", stdout);  // Ctrl-D: end the prompt's line
    std::fflush(stdout);
    active->lines_.emplace_back(std::nullopt);
  }
}

char** ShellTerminal::on_complete(const char*, int start, int end) {
  rl_attempted_completion_over = 1;  // never libedit's file names
  if (!active || !active->completer_ || start < 0 || end < start) return nullptr;
  const std::string_view line(rl_line_buffer, static_cast<std::size_t>(end));
  shell::Completion c = active->completer_(line);
  const auto from = static_cast<std::size_t>(start);
  // libedit replaces line[start, end); the completer may have started the word elsewhere.
  std::vector<std::string> candidates;
  for (auto& cand : c.candidates) {
    if (c.start < from) {
      const std::string_view before = line.substr(c.start, from - c.start);
      if (!std::string_view(cand).starts_with(before)) continue;
      candidates.push_back(cand.substr(before.size()));
    } else {
      candidates.push_back(std::string(line.substr(from, c.start - from)) + cand);
    }
  }
  if (candidates.empty()) return nullptr;
  rl_completion_append_character = c.append_space ? ' ' : '\0';
  auto** matches = static_cast<char**>(std::calloc(candidates.size() + 2, sizeof(char*)));
  if (!matches) return nullptr;
  matches[0] = copy(candidates.size() == 1 ? candidates[0] : common_prefix(candidates));
  if (candidates.size() > 1)
    for (std::size_t i = 0; i < candidates.size(); ++i) matches[i + 1] = copy(candidates[i]);
  return matches;
}

}  // namespace qmpc
