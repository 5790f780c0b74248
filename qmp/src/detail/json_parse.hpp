// The parses behind json::parse_insitu, for qmpc's own use: one given the text's length, and the bounded one it
// falls back on for texts long enough to nest past kMaxDepth.
#pragma once

#include "qmp/json.hpp"

#include <cstddef>

namespace qmp::json::detail {

// json::parse_insitu of a text whose length (before its NUL) is known.
std::optional<ParseFailure> parse_insitu(Document& doc, char* text, std::size_t length);

// Parses the NUL-terminated `text` in place, refusing nesting past kMaxDepth.
std::optional<ParseFailure> parse_insitu_bounded(Document& doc, char* text);

}  // namespace qmp::json::detail
