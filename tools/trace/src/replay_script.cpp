#include "trace/replay_script.hpp"

#include "trace/json_difference.hpp"

#include "qmp/codec.hpp"

#include <cstdio>

#include <algorithm>

namespace trace {
namespace {

namespace json = qmp::json;

bool is_greeting(const qmp::TranscriptEntry& e) {
  if (e.direction != qmp::Direction::from_qemu || e.raw) return false;
  auto m = e.to_message();
  return m && m->kind() == qmp::MessageKind::greeting;
}

// Asked for or not depending on the client's schema cache (qmpc exec and run check arguments against it): a replay
// takes it as optional both ways.
constexpr std::string_view kSchemaQuery = "query-qmp-schema";

std::string made_up_greeting(const std::string& qemu_version) {
  int major = 7, minor = 2, micro = 0;
  if (!qemu_version.empty()) std::sscanf(qemu_version.c_str(), "%d.%d.%d", &major, &minor, &micro);
  return R"({"QMP": {"version": {"qemu": {"micro": )" + std::to_string(micro) + R"(, "minor": )" +
         std::to_string(minor) + R"(, "major": )" + std::to_string(major) +
         R"(}, "package": "qmpc replay"}, "capabilities": []}})";
}

}  // namespace

ReplayScript::ReplayScript(qmp::Transcript transcript, std::vector<std::string> ignored_arguments)
    : transcript_(std::move(transcript)), ignored_arguments_(std::move(ignored_arguments)) {
  bool has_capabilities = false;
  for (const auto& e : transcript_.entries) {
    if (e.direction != qmp::Direction::to_qemu || e.raw) continue;
    ++recorded_commands_;
    if (auto m = e.to_message(); m && m->command_name() == "qmp_capabilities") has_capabilities = true;
  }
  answer_capabilities_ = !has_capabilities;
}

std::vector<ReplayOutput> ReplayScript::on_connect() {
  std::vector<ReplayOutput> out;
  if (transcript_.entries.empty() || !is_greeting(transcript_.entries.front())) {
    out.push_back({std::chrono::microseconds(0), made_up_greeting(transcript_.header.qemu_version)});
  }
  auto rest = play_until_next_command();
  out.insert(out.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return out;
}

std::vector<ReplayOutput> ReplayScript::play_until_next_command() {
  std::vector<ReplayOutput> out;
  while (next_ < transcript_.entries.size()) {
    const qmp::TranscriptEntry& e = transcript_.entries[next_];
    if (e.direction == qmp::Direction::to_qemu) {
      if (!e.raw) break;
      ++next_;  // bytes the recorded client sent that were no command: nothing to expect
      continue;
    }
    const auto delay = next_ == 0 ? std::chrono::microseconds(0) : e.time - transcript_.entries[next_ - 1].time;
    out.push_back({delay, rewrite_id(e)});
    ++next_;
  }
  return out;
}

bool ReplayScript::next_command_is(std::string_view name) const {
  if (next_ >= transcript_.entries.size()) return false;
  auto m = transcript_.entries[next_].to_message();
  return m && m->command_name() == name;
}

std::vector<ReplayOutput> ReplayScript::skip_recorded_command() {
  auto m = transcript_.entries[next_].to_message();
  const std::optional<std::string> id = m && m->id() ? std::optional(json::to_string(*m->id())) : std::nullopt;
  ++next_;
  ++skipped_;
  std::vector<ReplayOutput> out;
  for (ReplayOutput& o : play_until_next_command()) {
    // Its reply goes with it; what QEMU sent meanwhile (events) is still played.
    auto reply = json::parse_object(o.line);
    const bool its_reply = reply && (reply->HasMember("return") || reply->HasMember("error")) &&
                           ((id && json::find(*reply, "id") && json::to_string((*reply)["id"]) == *id) ||
                            (!id && !reply->HasMember("id")));
    if (!its_reply) out.push_back(std::move(o));
  }
  return out;
}

std::string ReplayScript::rewrite_id(const qmp::TranscriptEntry& e) const {
  if (e.raw || e.json.find("\"id\"") == std::string::npos) return e.json;
  auto doc = json::parse_object(e.json);
  if (!doc || (!doc->HasMember("return") && !doc->HasMember("error"))) return e.json;
  const json::Value* id = json::find(*doc, "id");
  if (!id) return e.json;
  const std::string recorded = json::to_string(*id);
  const auto it = std::find_if(ids_.rbegin(), ids_.rend(), [&](const auto& p) { return p.first == recorded; });
  if (it == ids_.rend()) return e.json;  // a reply to no command of this replay: played as recorded
  if (!it->second) {
    doc->RemoveMember("id");
  } else {
    json::Document client;
    if (json::parse(client, *it->second)) return e.json;  // cannot happen: the text is what the parser gave
    (*doc)["id"].CopyFrom(client, doc->GetAllocator());
  }
  return json::to_string(*doc);
}

ReplayOutput ReplayScript::error_reply(const std::string& desc, const std::optional<std::string>& client_id) const {
  std::string line = R"({"error": {"class": "GenericError", "desc": )";
  json::append_quoted(line, desc);
  line += "}";
  if (client_id) line += ", \"id\": " + *client_id;
  line += "}";
  return {std::chrono::microseconds(0), line};
}

std::vector<ReplayOutput> ReplayScript::on_client_line(std::string_view line) {
  std::string parse_error;
  auto doc = json::parse_object(line, &parse_error);
  std::optional<std::string> client_id;
  if (doc) {
    if (const json::Value* id = json::find(*doc, "id")) client_id = json::to_string(*id);
  }
  std::string name;
  if (doc) {
    name = std::string(json::get_string(*doc, "execute").value_or(json::get_string(*doc, "exec-oob").value_or("")));
  }
  if (!doc && !diverged_ && qmp::json_nesting_depth(line) > json::kMaxDepth) {
    // No recorded client sent this: a transcript cannot hold it (its reader refuses such nesting).
    diverged_ = true;
    const bool more = next_ < transcript_.entries.size();
    auto expected = more ? transcript_.entries[next_].to_message() : std::nullopt;
    divergences_.push_back({more ? transcript_.entries[next_].seq : 0,
                            expected ? std::string(expected->command_name()) : std::string(),
                            "input nested deeper than " + std::to_string(json::kMaxDepth) + " levels",
                            "the client sent JSON nested deeper than " + std::to_string(json::kMaxDepth) +
                                " levels (the limit): '" + qmp::excerpt(line, 0) + "'"});
    return {error_reply("JSON parse error: " + parse_error, client_id)};
  }
  if (name.empty()) {
    // As QEMU: the input is answered with an error and otherwise ignored; it is no divergence.
    return {error_reply(doc ? "QMP input lacks member 'execute'" : "JSON parse error: " + parse_error, client_id)};
  }
  if (answer_capabilities_ && name == "qmp_capabilities") {
    answer_capabilities_ = false;
    return {{std::chrono::microseconds(0),
             std::string(R"({"return": {})") + (client_id ? ", \"id\": " + *client_id : std::string()) + "}"}};
  }
  if (diverged_) {
    return {error_reply("qmpc replay: stopped at the first divergence (" + divergences_.front().explanation + ")",
                        client_id)};
  }
  if (name == kSchemaQuery && !next_command_is(kSchemaQuery)) {
    ++schema_queries_refused_;
    return {error_reply("qmpc replay: the recording holds no query-qmp-schema at this point", client_id)};
  }
  std::vector<ReplayOutput> out;
  while (name != kSchemaQuery && next_command_is(kSchemaQuery)) {
    auto skipped = skip_recorded_command();
    out.insert(out.end(), std::make_move_iterator(skipped.begin()), std::make_move_iterator(skipped.end()));
  }
  auto rest = match_command(name, *doc, client_id);
  out.insert(out.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return out;
}

std::vector<ReplayOutput> ReplayScript::match_command(const std::string& name, const json::Document& doc,
                                                      const std::optional<std::string>& client_id) {
  if (next_ >= transcript_.entries.size()) {
    diverged_ = true;
    divergences_.push_back({0, "", name, "'" + name + "' sent after the last recorded command"});
    return {error_reply("qmpc replay: the recording has no more commands, got '" + name + "'", client_id)};
  }
  const qmp::TranscriptEntry& expected = transcript_.entries[next_];
  auto expected_msg = expected.to_message();
  const std::string expected_name = expected_msg ? std::string(expected_msg->command_name()) : std::string("?");
  if (expected_name != name) {
    diverged_ = true;
    const std::string why = "expected '" + expected_name + "' (recorded seq " + std::to_string(expected.seq) +
                            "), got '" + name + "'";
    divergences_.push_back({expected.seq, expected_name, name, why});
    return {error_reply("qmpc replay: " + why, client_id)};
  }
  static const json::Value no_arguments(rapidjson::kObjectType);
  const json::Value* recorded_args = json::find(expected_msg->json(), "arguments");
  const json::Value* client_args = json::find(doc, "arguments");
  if (auto difference = first_difference(recorded_args ? *recorded_args : no_arguments,
                                         client_args ? *client_args : no_arguments, ignored_arguments_)) {
    diverged_ = true;
    const std::string why = "'" + name + "' (recorded seq " + std::to_string(expected.seq) +
                            ") with other arguments: " + *difference;
    divergences_.push_back({expected.seq, expected_name, name, why});
    return {error_reply("qmpc replay: " + why, client_id)};
  }
  ++matched_;
  if (const json::Value* id = expected_msg->id()) ids_.emplace_back(json::to_string(*id), client_id);
  ++next_;
  return play_until_next_command();
}

std::string ReplayScript::report() const {
  std::string out = "replayed " + std::to_string(matched_) + " of " + std::to_string(recorded_commands_) +
                    " recorded commands";
  out += finished() ? "; the whole recording was played\n" : "; the recording was not played to its end\n";
  if (skipped_ > 0) {
    out += "skipped " + std::to_string(skipped_) + " recorded query-qmp-schema the client did not send\n";
  }
  if (schema_queries_refused_ > 0) {
    out += "answered " + std::to_string(schema_queries_refused_) +
           " query-qmp-schema the recording lacks with an error\n";
  }
  for (const Divergence& d : divergences_) out += "divergence: " + d.explanation + "\n";
  return out;
}

}  // namespace trace
