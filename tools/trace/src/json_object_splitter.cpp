#include "trace/json_object_splitter.hpp"

namespace trace {

void JsonObjectSplitter::reset() noexcept {
  current_.clear();
  depth_ = 0;
  strings_.reset();
  pending_backslash_ = false;
}

void JsonObjectSplitter::feed(std::string_view chunk, std::vector<std::string>& out) {
  for (const char c : chunk) {
    if (depth_ == 0) {
      if (pending_backslash_) {
        pending_backslash_ = false;
        if (c == 'r' || c == 'n') continue;
        junk_ += 1;  // the lone backslash
      }
      if (c == '{') {
        depth_ = 1;
        current_.assign(1, c);
      } else if (c == '\\') {
        pending_backslash_ = true;
      } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        ++junk_;
      }
      continue;
    }
    current_.push_back(c);
    if (current_.size() > max_) {
      reset();
      ++oversized_;
      continue;
    }
    if (strings_.in_string(c)) continue;
    if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        out.push_back(std::move(current_));
        current_.clear();
      }
    }
  }
}

}  // namespace trace
