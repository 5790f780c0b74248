#include "script/script_run.hpp"

#include "cli/exit_code.hpp"

namespace qmpc::script {

const Step* ScriptRun::next() const noexcept {
  if (stopped_ || index_ >= steps_.size()) return nullptr;
  return &steps_[index_];
}

std::string ScriptRun::head() const {
  std::string out = "{\"step\":" + std::to_string(index_ + 1);
  const Step& step = steps_[index_];
  if (const auto* command = std::get_if<CommandStep>(&step.action)) {
    out += ",\"execute\":";
    qmp::json::append_quoted(out, command->name);
  } else {
    out += ",\"wait-event\":";
    qmp::json::append_quoted(out, std::get<WaitStep>(step.action).pattern);
  }
  return out;
}

std::string ScriptRun::returned(const qmp::json::Value& value) {
  std::string out = head() + ",\"return\":" + qmp::json::to_string(value) + "}";
  ++index_;
  return out;
}

std::string ScriptRun::event_taken(const qmp::Message& event) {
  std::string out = "{\"step\":" + std::to_string(index_ + 1) + ",\"event\":" + event.text() + "}";
  ++index_;
  return out;
}

std::string ScriptRun::failed(std::string_view error_class, std::string_view desc, int exit_code) {
  std::string out = head() + ",\"error\":{\"class\":";
  qmp::json::append_quoted(out, error_class);
  out += ",\"desc\":";
  qmp::json::append_quoted(out, desc);
  out += "}}";
  if (exit_code_ == 0) exit_code_ = exit_code == 0 ? cli::to_int(cli::ExitCode::failed) : exit_code;
  if (!keep_going_ || exit_code == cli::to_int(cli::ExitCode::connection) ||
      exit_code == cli::to_int(cli::ExitCode::interrupted))
    stopped_ = true;
  ++index_;
  return out;
}

}  // namespace qmpc::script
