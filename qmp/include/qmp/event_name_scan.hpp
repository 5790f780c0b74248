// Reads an event's name from its line without parsing the line, so that a session can drop an event no subscriber
// wants for the price of a glance at its first bytes. No I/O, no allocation.
#pragma once

#include <optional>
#include <string_view>

namespace qmp {

// The name of the event in `line` when `line` begins as a JSON object whose first top-level "event" member has a
// string value: QEMU's {"timestamp": {...}, "event": "NAME", ...}. nullopt whenever the scan cannot be sure, and
// then the line is decoded in full as any other: not an object, a top-level key or the name written with a
// backslash escape, a reply ("return", "error", "id" or "QMP" met before "event"), a value that is not
// well formed, the end of the line. What follows the name is not read: a line that is malformed only after it
// is not found malformed. When a line's full decode succeeds, it is an event of this same name (the codec fuzz
// target checks it).
std::optional<std::string_view> scan_event_name(std::string_view line) noexcept;

}  // namespace qmp
