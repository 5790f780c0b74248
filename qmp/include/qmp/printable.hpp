// Text that came from QEMU, a file or a client, made safe to print. Whatever a monitor sends, nothing qmpc prints
// can drive the terminal (an ESC or BEL in an error's desc would retitle it: "\e]0;...\a") or make its JSON output
// invalid (RapidJSON keeps invalid UTF-8 bytes as they came). Every line qmpc prints goes through one of these.
#pragma once

#include <string>
#include <string_view>

namespace qmp {

enum class Newlines { escape, keep };

// For people: control characters (C0 but for kept newlines, DEL, C1) become "\n", "\r", "\t" or "\xHH" (C1:
// "\u0080".."\u009f"); each byte of invalid UTF-8 becomes "\xHH". Everything else, valid UTF-8 included, is kept.
std::string printable(std::string_view text, Newlines newlines = Newlines::escape);

// For JSON text (a whole compact or pretty document, as QEMU or RapidJSON wrote it): each byte of invalid UTF-8
// becomes U+FFFD, and a raw control character that can only be inside a string (C0 other than tab, newline and
// carriage return, DEL, C1) becomes a \u00HH escape. Valid JSON in, valid JSON and valid UTF-8 out.
std::string printable_json(std::string_view json);

// printable(text, Newlines::keep) of a stream that arrives in chunks (a child process's stderr): the output of all
// feed() calls and finish() together is that of the whole text at once. A UTF-8 sequence split between two chunks
// is held back (at most 3 bytes) until its end arrives, or until finish() escapes what is left.
class PrintableStream {
 public:
  std::string feed(std::string_view chunk);
  std::string finish();

 private:
  std::string held_;
};

}  // namespace qmp
