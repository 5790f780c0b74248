// The decisions of `qmpc run`, without I/O: which step comes next, the JSON line reporting each outcome, whether
// the script goes on after a failure, and the exit code.
//
//   ScriptRun run(std::move(steps), keep_going);
//   while (const Step* step = run.next()) {
//     ... carry the step out ...
//     print(run.returned(value))  |  print(run.failed(...))  |  print(run.event_taken(event))
//   }
//   return run.exit_code();
//
// Output lines (compact JSON; N is the step's number, from 1):
//   {"step":N,"execute":"NAME","return":VALUE}
//   {"step":N,"execute":"NAME","error":{"class":"CLASS","desc":"DESC"}}
//   {"step":N,"event":{...the whole event...}}
//   {"step":N,"wait-event":"PATTERN","error":{"class":"Timeout","desc":"..."}}   (or another failure of a wait)
// The first failure stops the script unless keep_going; a failure that leaves no usable connection
// (exit code 3) or an interruption (130) stops it regardless. The exit code is that of the first failure, 0
// when there was none.
#pragma once

#include "script/step.hpp"

#include "qmp/json.hpp"
#include "qmp/message.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace qmpc::script {

class ScriptRun {
 public:
  ScriptRun(std::vector<Step> steps, bool keep_going) : steps_(std::move(steps)), keep_going_(keep_going) {}

  // The step to carry out now, or nullptr once the script is over (every step done, or stopped).
  const Step* next() const noexcept;
  // The number of next()'s step (1-based).
  std::size_t step_number() const noexcept { return index_ + 1; }

  // The outcome of next()'s step; each returns the line to print and moves to the following step.
  // A command step returned `value`.
  std::string returned(const qmp::json::Value& value);
  // A wait-event step took `event`.
  std::string event_taken(const qmp::Message& event);
  // The step failed: QMP's class and desc (or qmpc's, e.g. "Timeout"), and the exit code the failure stands for
  // (cli::ExitCode).
  std::string failed(std::string_view error_class, std::string_view desc, int exit_code);

  int exit_code() const noexcept { return exit_code_; }
  bool stopped() const noexcept { return stopped_; }

 private:
  std::string head() const;  // {"step":N,"execute":"NAME"  or  {"step":N,"wait-event":"PATTERN"
  std::vector<Step> steps_;
  bool keep_going_;
  std::size_t index_ = 0;
  bool stopped_ = false;
  int exit_code_ = 0;
};

}  // namespace qmpc::script
