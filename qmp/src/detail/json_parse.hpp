// The parses behind json::parse_insitu, for qmpc's own use: that of a message's document (its own document type,
// with the per-thread parse stack) given the text's length, and the bounded ones they fall back on for texts long
// enough to nest past kMaxDepth.
#pragma once

#include "detail/parse_stack_allocator.hpp"
#include "qmp/json.hpp"

#include <cstddef>

namespace qmp::json::detail {

// A document whose values are json::Value, parsed with the per-thread stack.
using MessageDocument =
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>, ParseStackAllocator>;

// json::parse_insitu into a message's document, of a text whose length (before its NUL) is known.
std::optional<ParseFailure> parse_insitu(MessageDocument& doc, char* text, std::size_t length);

// Parse the NUL-terminated `text` in place, refusing nesting past kMaxDepth.
std::optional<ParseFailure> parse_insitu_bounded(Document& doc, char* text);
std::optional<ParseFailure> parse_insitu_bounded(MessageDocument& doc, char* text);

}  // namespace qmp::json::detail
