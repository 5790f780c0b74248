#include "transcript_fixture.hpp"

#include <qmp/json.hpp>
#include <qmp/transcript_reader.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace mirror::test {

namespace json = qmp::json;

const std::vector<TranscriptCase>& transcript_cases() {
  static const std::vector<TranscriptCase> cases = {
      {"mirror-pivot.qmpt", JobKind::mirror, EndMode::pivot, Outcome::pivoted},
      {"qemu-7.2-drive-mirror-pivot.qmpt", JobKind::mirror, EndMode::pivot, Outcome::pivoted},
      {"qemu-10.0-blockdev-mirror-pivot.qmpt", JobKind::mirror, EndMode::pivot, Outcome::pivoted},
      {"qemu-7.2-active-commit-pivot.qmpt", JobKind::active_commit, EndMode::pivot, Outcome::pivoted},
      {"qemu-10.0-active-commit-pivot.qmpt", JobKind::active_commit, EndMode::pivot, Outcome::pivoted},
      {"qemu-7.2-commit-intermediate.qmpt", JobKind::commit, EndMode::run, Outcome::completed},
      {"qemu-10.0-commit-intermediate.qmpt", JobKind::commit, EndMode::run, Outcome::completed},
      {"qemu-7.2-stream.qmpt", JobKind::stream, EndMode::run, Outcome::completed},
      {"qemu-10.0-stream.qmpt", JobKind::stream, EndMode::run, Outcome::completed},
      {"qemu-7.2-backup-full.qmpt", JobKind::backup, EndMode::run, Outcome::completed},
      {"qemu-10.0-backup-full.qmpt", JobKind::backup, EndMode::run, Outcome::completed},
      {"qemu-7.2-backup-incremental.qmpt", JobKind::backup, EndMode::run, Outcome::completed},
      {"qemu-10.0-backup-incremental.qmpt", JobKind::backup, EndMode::run, Outcome::completed},
  };
  return cases;
}

std::string transcripts_dir() { return QMPC_TRANSCRIPT_FIXTURES_DIR; }

namespace {

bool is_start_command(std::string_view name) {
  return name == "drive-mirror" || name == "blockdev-mirror" || name == "block-commit" || name == "block-stream" ||
         name == "blockdev-backup" || name == "drive-backup";
}

bool lists_job_complete(const qmp::Message& reply) {
  const json::Value* r = reply.result();
  if (!r || !r->IsArray()) return false;
  for (const auto& c : r->GetArray())
    if (json::get_string(c, "name") == "job-complete") return true;
  return false;
}

// {"out":{"execute":NAME,"arguments":ARGS}} for the command `m`.
std::string out_step(const qmp::Message& m) {
  json::Object command;
  command.add("execute", m.command_name());
  if (const json::Value* args = json::find(m.json(), "arguments"))
    command.add("arguments", *args);
  else
    command.add("arguments", json::Object());
  return json::Object().add("out", command).str();
}

Step step(const std::string& text, int line) {
  Step s = make_step(text);
  s.line = line;
  return s;
}

}  // namespace

Fixture transcript_fixture(const TranscriptCase& c) {
  const std::string path = transcripts_dir() + "/" + c.file;
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(path, ec, diag);
  if (!t) throw std::runtime_error(path + ": " + diag.what);
  Fixture f;
  f.name = c.file;
  bool job_commands = false, asked_commands = false, started = false;
  std::string job_id;
  int line = 1;  // the header
  for (const auto& e : t->entries) {
    ++line;
    auto m = e.to_message();
    if (!m) continue;
    const bool to_qemu = e.direction == qmp::Direction::to_qemu;
    if (!started) {
      if (to_qemu) asked_commands = m->command_name() == "query-commands";
      else if (asked_commands && !m->is_event()) job_commands = lists_job_complete(*m);
      if (!to_qemu || !is_start_command(m->command_name())) continue;
      started = true;
      const json::Value* args = json::find(m->json(), "arguments");
      if (!args) throw std::runtime_error(path + ": the start command has no arguments");
      job_id = std::string(json::get_string(*args, "job-id").value_or(""));
      f.steps.push_back(step(json::Object()
                                 .add("config", json::Object()
                                                    .add("job_id", job_id)
                                                    .add("kind", to_string(c.kind))
                                                    .add("start_command", m->command_name())
                                                    .add("start_arguments", *args)
                                                    .add("job_commands", job_commands)
                                                    .add("end_mode", to_string(c.end_mode)))
                                 .str(),
                             line));
      f.steps.push_back(step(out_step(*m), line));
      continue;
    }
    if (to_qemu) {
      f.steps.push_back(step(out_step(*m), line));
      continue;
    }
    f.steps.push_back(step("{\"in\":" + json::to_string(m->json()) + "}", line));
    const json::Value* data = m->data();
    if (m->event_name() == "JOB_STATUS_CHANGE" && data && json::get_string(*data, "id") == job_id &&
        json::get_string(*data, "status") == "null")
      break;
  }
  if (!started) throw std::runtime_error(path + ": no block job is started in it");
  f.steps.push_back(step(std::string(R"({"expect":{"outcome":")") + to_string(c.outcome) +
                             R"(","ready_reports":)" + (has_ready_phase(c.kind) ? "1" : "0") + "}}",
                         line));
  return f;
}

qmp::Message recorded_reply(const std::string& file, const std::string& command) {
  qmp::error_code ec;
  qmp::Diagnostics diag;
  auto t = qmp::read_transcript_file(transcripts_dir() + "/" + file, ec, diag);
  EXPECT_TRUE(t) << diag.what;
  bool asked = false;
  if (t)
    for (const auto& e : t->entries) {
      auto m = e.to_message();
      if (!m) continue;
      if (e.direction == qmp::Direction::to_qemu) asked = m->command_name() == command;
      if (asked && e.direction == qmp::Direction::from_qemu && !m->is_event()) return *m;
    }
  ADD_FAILURE() << "no reply to " << command << " in " << file;
  return {};
}

}  // namespace mirror::test
