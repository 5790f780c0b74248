// json::parse_insitu, the parse of every message a session reads, in a file of its own: in a unit with no other
// parser in it, GCC inlines the whole of RapidJSON's reader for it and keeps the string scanner's pointers in
// registers (in json.cpp, among the other parsers, they went through memory at every byte: twice the time).
#include "detail/json_parse.hpp"

#include <rapidjson/error/en.h>

#include <cstring>

namespace qmp::json {
namespace {

template <typename Doc>
std::optional<ParseFailure> parse_insitu_of(Doc& doc, char* text, std::size_t length) {
  // A text shorter than kMaxDepth bytes cannot open kMaxDepth + 1 levels (each opens with a byte of its own), so
  // RapidJSON's own parse needs no depth count: the common case, QEMU's events and replies.
  if (length >= kMaxDepth) return detail::parse_insitu_bounded(doc, text);
  doc.ParseInsitu(text);
  if (!doc.HasParseError()) return std::nullopt;
  return ParseFailure{doc.GetErrorOffset(), rapidjson::GetParseError_En(doc.GetParseError())};
}

}  // namespace

std::optional<ParseFailure> parse_insitu(Document& doc, char* text) {
  return parse_insitu_of(doc, text, ::strnlen(text, kMaxDepth));
}

std::optional<ParseFailure> detail::parse_insitu(MessageDocument& doc, char* text, std::size_t length) {
  return parse_insitu_of(doc, text, length);
}

}  // namespace qmp::json
