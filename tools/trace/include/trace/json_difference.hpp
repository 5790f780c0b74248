// Where two JSON values differ, for the replay's argument check. No I/O.
//
//   first_difference(recorded, got, {"job-id"})  ->  "target: recorded \"/a.qcow2\", got \"/b.qcow2\""
//
// Objects are compared member by member whatever their order (a member on one side only is a difference),
// arrays element by element, numbers by value. Dotted paths in `ignored` ("job-id", "file.filename"; a number
// for an array element: "nodes.0") are skipped with everything under them, and a recorded string "<redacted>"
// (qmp::redact's mark for a secret) matches any value.
#pragma once

#include "qmp/json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace trace {

// Nullopt when they are the same; else the first difference in document order: "PATH: recorded X, got Y"
// (PATH "(the whole value)" at the top, X or Y "nothing" for a missing member).
std::optional<std::string> first_difference(const qmp::json::Value& recorded, const qmp::json::Value& got,
                                            const std::vector<std::string>& ignored = {});

}  // namespace trace
