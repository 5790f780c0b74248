// Which events a waiter wants: a name (or glob patterns of names) and conditions on the event's data. No I/O.
//
//   EventMatch match({"BLOCK_JOB_*"}, {{"device", "\"job0\""}, {"type", "\"mirror\""}});
//   match.matches(event)   // name matches a pattern and data.device == "job0" and data.type == "mirror"
//
// A condition is a dotted PATH into the event's "data" member ("device", "status.running"; a segment that is a
// whole number also indexes an array: "nodes.0") and a JSON value; it holds when the member exists and equals the
// value (deep comparison, numbers by value: 1 equals 1.0). Names and patterns are compared exactly, or without
// regard to ASCII case; in a pattern '*' stands for any run of characters and '?' for one.
#pragma once

#include "qmp/event_dispatcher.hpp"
#include "qmp/json.hpp"
#include "qmp/message.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmp {

struct DataCondition {
  std::string path;        // dotted, into "data"
  std::string value_json;  // the JSON text the member must equal
};

class EventMatch {
 public:
  // Every event.
  EventMatch() = default;
  // `patterns` empty: any name. Throws std::invalid_argument when a condition's value is not JSON or its path has
  // an empty segment (check words first with parse_data_condition()).
  EventMatch(std::vector<std::string> patterns, std::vector<DataCondition> conditions, bool ignore_case = false);

  bool matches(const Message& event) const;
  bool name_matches(std::string_view name) const;
  // `data` may be null (an event without data): then only an empty condition list holds.
  bool data_matches(const json::Value* data) const;

  // For error lines: "STOP", "BLOCK_JOB_* or JOB_* with device=\"job0\"", "any event".
  std::string describe() const;

  // A subscription filter taking exactly the events this matches.
  EventFilter filter() const;

 private:
  struct Condition {
    std::vector<std::string> path;
    std::string text;
    std::shared_ptr<const json::Document> value;
  };
  std::vector<std::string> patterns_;
  std::vector<Condition> conditions_;
  bool ignore_case_ = false;
};

// '*' any run of characters (possibly empty), '?' exactly one; everything else literally.
bool glob_match(std::string_view pattern, std::string_view text, bool ignore_case = false) noexcept;

// The member of `root` at the dotted `path` (see above), or nullptr.
const json::Value* find_path(const json::Value& root, std::string_view path) noexcept;

}  // namespace qmp
