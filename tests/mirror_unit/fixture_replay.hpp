// Replays a recorded job event stream (fixtures/events/*.jsonl) through mirror::JobStateMachine.
//
// A fixture is JSON lines, one step each:
//   {"config": {...}}                    the JobConfig (first line); "kind" (mirror, active-commit, commit,
//                                        stream, backup), "attach": true to take over a running job
//   {"out": {"execute": N, "arguments": A}}  the machine must have asked for exactly this command by now
//   {"in": MESSAGE, "repeat": K}         a message from QEMU: events go to on_event, replies and errors to
//                                        on_reply for the oldest command not yet answered (QMP answers in order)
//   {"poll": RETURN}                     a progress poll result (query-block-jobs return value)
//   {"request": "pivot", "refused": S}   a caller request; with "refused", it must be refused with S in the reason
//   {"deadline": "ready"}                a deadline expired
//   {"resync": true}                     the runner asks for a resync
//   {"lost": "reset"}                    the connection ended
//   {"check": {...}}                     state now: status, ready, paused_by_error, done, error_events, offset, len
//   {"expect": {...}}                    the end: outcome, error, error_contains, deadline, ready_reports,
//                                        job_error_reports, paused_reports, progress_ready (the last progress report)
//   {"comment": "..."}                   ignored
#pragma once

#include <mirror/job_state_machine.hpp>

#include <qmp/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mirror::test {

struct Step {
  enum class Kind { config, out, in, poll, request, deadline, resync, lost, check, expect, comment } kind;
  std::shared_ptr<const qmp::json::Document> doc;  // the whole line
  const qmp::json::Value& body() const;             // the member named by the kind
  std::string text;                                 // the line, for messages
  int line = 0;                                     // 1-based line number in the file
  bool is_reply() const;                            // an "in" that is a return or error
  bool is_event() const;
  bool is_barrier() const;                          // anything but "in" and "comment"
};

struct Fixture {
  std::string name;
  std::vector<Step> steps;
};

Fixture load_fixture(const std::string& path);
// All fixture files in the events directory, sorted by name.
std::vector<std::string> fixture_files();
std::string fixtures_dir();

// Builds a step from JSON text (for perturbations).
Step make_step(const std::string& json_text);

struct ReplayResult {
  bool ok = true;
  std::string failure;         // what went wrong, with the step
  std::vector<std::string> log;  // every input and action, for failure messages
  std::optional<Finished> result;
  std::vector<std::string> commands;  // names sent, in order
};

// Called after each step with the step index; may feed more input through `feed_event` / `feed_poll`.
struct Hooks {
  std::function<void(std::size_t index, const Step& step, const JobStateMachine& m,
                     const std::function<void(const std::string&)>& feed_event,
                     const std::function<void(const std::string&)>& feed_poll)>
      after_step;
};

ReplayResult replay(const std::vector<Step>& steps, const Hooks& hooks = {});

}  // namespace mirror::test
