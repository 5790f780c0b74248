#include "fixture_replay.hpp"

#include <qmp/codec.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mirror::test {

namespace json = qmp::json;

namespace {

const char* kind_key(Step::Kind k) {
  switch (k) {
    case Step::Kind::config: return "config";
    case Step::Kind::out: return "out";
    case Step::Kind::in: return "in";
    case Step::Kind::poll: return "poll";
    case Step::Kind::request: return "request";
    case Step::Kind::deadline: return "deadline";
    case Step::Kind::resync: return "resync";
    case Step::Kind::lost: return "lost";
    case Step::Kind::check: return "check";
    case Step::Kind::expect: return "expect";
    case Step::Kind::comment: return "comment";
  }
  return "";
}

std::optional<EndMode> parse_end_mode(std::string_view s) {
  for (auto m : {EndMode::pivot, EndMode::finish, EndMode::abort, EndMode::wait_ready, EndMode::detach,
                 EndMode::manual, EndMode::run})
    if (s == to_string(m)) return m;
  return std::nullopt;
}

std::optional<Request> parse_request(std::string_view s) {
  for (auto r : {Request::pivot, Request::finish, Request::abort, Request::wait_ready})
    if (s == to_string(r)) return r;
  return std::nullopt;
}

std::optional<Timer> parse_timer(std::string_view s) {
  for (auto t : {Timer::ready, Timer::completion, Timer::soft_cancel, Timer::abort})
    if (s == to_string(t)) return t;
  return std::nullopt;
}

JobConfig parse_config(const json::Value& c) {
  JobConfig cfg;
  if (auto v = json::get_string(c, "job_id")) cfg.job_id = std::string(*v);
  if (auto v = json::get_string(c, "kind")) {
    auto k = parse_job_kind(*v);
    if (!k) throw std::runtime_error("bad kind");
    cfg.kind = *k;
  }
  if (auto v = json::get_string(c, "start_command")) cfg.start_command = std::string(*v);
  if (auto* a = json::find(c, "start_arguments")) cfg.start_arguments = json::to_string(*a);
  if (auto v = json::get_bool(c, "job_commands")) cfg.job_commands = *v;
  if (auto v = json::get_bool(c, "auto_finalize")) cfg.auto_finalize = *v;
  if (auto v = json::get_bool(c, "auto_dismiss")) cfg.auto_dismiss = *v;
  if (auto v = json::get_string(c, "end_mode")) {
    auto m = parse_end_mode(*v);
    if (!m) throw std::runtime_error("bad end_mode");
    cfg.end_mode = *m;
  }
  if (auto v = json::get_uint(c, "max_resumes")) cfg.max_resumes = static_cast<unsigned>(*v);
  return cfg;
}

bool same_json(const json::Value& a, std::string_view b_text) {
  if (b_text.empty()) return a.IsObject() && a.MemberCount() == 0;
  auto b = json::parse_object(b_text);
  return b && a == *b;
}

}  // namespace

const json::Value& Step::body() const { return (*doc)[kind_key(kind)]; }

bool Step::is_reply() const {
  return kind == Kind::in && (json::find(body(), "return") != nullptr || json::find(body(), "error") != nullptr);
}
bool Step::is_event() const { return kind == Kind::in && json::find(body(), "event") != nullptr; }
bool Step::is_barrier() const { return kind != Kind::in && kind != Kind::comment; }

Step make_step(const std::string& text) {
  std::string err;
  auto d = json::parse_object(text, &err);
  if (!d) throw std::runtime_error("fixture line is not a JSON object: " + err + ": " + text);
  Step s{};
  s.text = text;
  bool found = false;
  for (auto k : {Step::Kind::config, Step::Kind::out, Step::Kind::in, Step::Kind::poll, Step::Kind::request,
                 Step::Kind::deadline, Step::Kind::resync, Step::Kind::lost, Step::Kind::check, Step::Kind::expect,
                 Step::Kind::comment}) {
    if (d->HasMember(kind_key(k))) {
      s.kind = k;
      found = true;
      break;
    }
  }
  if (!found) throw std::runtime_error("fixture line has no known step: " + text);
  s.doc = std::make_shared<const json::Document>(std::move(*d));
  return s;
}

std::string fixtures_dir() { return QMPC_EVENT_FIXTURES_DIR; }

Fixture load_fixture(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  Fixture f;
  f.name = std::filesystem::path(path).stem().string();
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    Step s = make_step(line);
    s.line = n;
    if (s.kind != Step::Kind::comment) f.steps.push_back(std::move(s));
  }
  return f;
}

std::vector<std::string> fixture_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(fixtures_dir()))
    if (e.path().extension() == ".jsonl") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

namespace {

class Replayer {
 public:
  explicit Replayer(ReplayResult& r) : r_(r) {}

  void run(const std::vector<Step>& steps, const Hooks& hooks) {
    if (steps.empty() || steps.front().kind != Step::Kind::config) return fail("the first step must be a config");
    m_.emplace(parse_config(steps.front().body()));
    if (json::get_bool(steps.front().body(), "attach").value_or(false))
      take(m_->attach(), "attach");
    else
      take(m_->start(), "start");
    for (std::size_t i = 1; i < steps.size() && r_.ok; ++i) {
      step_ = &steps[i];
      apply(steps[i]);
      if (r_.ok && hooks.after_step) {
        hooks.after_step(
            i, steps[i], *m_, [this](const std::string& t) { feed_in(make_step("{\"in\":" + t + "}").body(), 1); },
            [this](const std::string& t) { feed_poll(*make_step("{\"poll\":" + t + "}").doc); });
      }
    }
    if (r_.ok && !unmatched_.empty())
      fail("the machine sent commands the fixture does not expect: " + describe(unmatched_.front()));
    r_.result = m_->result();
  }

 private:
  void apply(const Step& s) {
    const json::Value& b = s.body();
    switch (s.kind) {
      case Step::Kind::config:
        return fail("a second config");
      case Step::Kind::comment:
        return;
      case Step::Kind::out: {
        if (unmatched_.empty()) return fail("the machine did not send " + s.text);
        SendCommand c = std::move(unmatched_.front());
        unmatched_.pop_front();
        auto name = json::get_string(b, "execute");
        const json::Value* args = json::find(b, "arguments");
        static const json::Value kEmpty(rapidjson::kObjectType);
        if (name != c.name || !same_json(args ? *args : kEmpty, c.arguments))
          return fail("the machine sent " + describe(c) + " where the fixture has " + s.text);
        awaiting_reply_.push_back(c.command);
        return;
      }
      case Step::Kind::in: {
        std::uint64_t repeat = json::get_uint(*s.doc, "repeat").value_or(1);
        return feed_in(b, repeat);
      }
      case Step::Kind::poll:
        return feed_poll(*s.doc);
      case Step::Kind::request: {
        auto r = parse_request(json::view(b));
        if (!r) return fail("unknown request");
        Actions a = m_->request(*r);
        auto refused_text = json::get_string(*s.doc, "refused");
        const Refused* refused = nullptr;
        for (const auto& x : a)
          if (auto* p = std::get_if<Refused>(&x)) refused = p;
        if (refused_text && !refused) return fail("the request was not refused");
        if (!refused_text && refused) return fail("the request was refused: " + refused->reason);
        if (refused && refused->reason.find(*refused_text) == std::string::npos)
          return fail("refused for another reason: " + refused->reason);
        return take(std::move(a), s.text);
      }
      case Step::Kind::deadline: {
        auto t = parse_timer(json::view(b));
        if (!t) return fail("unknown timer");
        if (!armed(*t)) return fail(std::string("deadline ") + to_string(*t) + " fired but it is not armed");
        return take(m_->on_deadline(*t), s.text);
      }
      case Step::Kind::resync:
        return take(m_->resync(), s.text);
      case Step::Kind::lost:
        return take(m_->on_connection_lost(json::view(b)), s.text);
      case Step::Kind::check:
        return check(b, false);
      case Step::Kind::expect:
        return check(b, true);
    }
  }

  void feed_in(const json::Value& msg, std::uint64_t repeat) {
    const std::string text = json::to_string(msg);
    for (std::uint64_t k = 0; k < repeat && r_.ok; ++k) {
      ++seq_;
      auto d = qmp::decode_line(text, seq_, qmp::Clock::time_point{} + std::chrono::milliseconds(seq_));
      if (!d.message) return fail("undecodable message " + text);
      const qmp::Message& m = *d.message;
      if (says_ready(m.json())) qemu_said_ready_ = true;
      if (m.is_event()) {
        take(m_->on_event(m), repeat > 1 ? std::string() : text);
      } else {
        if (awaiting_reply_.empty()) return fail("a reply but no command awaits one: " + text);
        Command c = awaiting_reply_.front();
        awaiting_reply_.pop_front();
        const auto [ec, r] = qmp::reply_from_message(m);
        take(m_->on_reply(c, ec, r), std::string(to_string(c)) + " <- " + text);
      }
    }
  }

  void feed_poll(const json::Document& doc) {
    ++seq_;
    const json::Value& v = doc["poll"];
    if (lists_ready(v)) qemu_said_ready_ = true;
    take(m_->on_poll(v, seq_, qmp::Clock::time_point{} + std::chrono::milliseconds(seq_)),
         "poll " + json::to_string(v));
  }

  void take(Actions actions, const std::string& input) {
    if (!input.empty()) r_.log.push_back("<< " + input);
    for (auto& a : actions) {
      if (!input.empty() || !std::holds_alternative<StatusChanged>(a)) r_.log.push_back("   " + describe(a));
      if (auto* c = std::get_if<SendCommand>(&a)) {
        // The ready rule, judged by what QEMU said rather than by the machine's own view.
        if ((c->name == "job-complete" || c->name == "block-job-complete") && !qemu_said_ready_)
          fail(c->name + " was sent before QEMU said the job was ready");
        r_.commands.push_back(c->name);
        unmatched_.push_back(*c);
      } else if (std::holds_alternative<ReadyReached>(a)) {
        ++ready_reports_;
      } else if (std::holds_alternative<JobErrorReported>(a)) {
        ++job_error_reports_;
      } else if (std::holds_alternative<PausedByError>(a)) {
        ++paused_reports_;
      } else if (auto* p = std::get_if<Progress>(&a)) {
        progress_ready_.push_back(p->ready);
      } else if (auto* t = std::get_if<ArmTimer>(&a)) {
        armed_[static_cast<int>(t->timer)] = true;
      } else if (auto* t2 = std::get_if<DisarmTimer>(&a)) {
        armed_[static_cast<int>(t2->timer)] = false;
      } else if (std::holds_alternative<Finished>(a)) {
        ++finished_count_;
        if (finished_count_ > 1) fail("finished twice");
      }
    }
  }

  bool armed(Timer t) const { return armed_[static_cast<int>(t)]; }

  bool is_job(const json::Value& v, std::string_view key) const {
    return json::get_string(v, key) == m_->config().job_id;
  }

  // A query-jobs / query-block-jobs result listing the job as ready or standby.
  bool lists_ready(const json::Value& result) const {
    if (!result.IsArray()) return false;
    for (const auto& j : result.GetArray()) {
      if (!j.IsObject() || !(is_job(j, "id") || is_job(j, "device"))) continue;
      const auto st = json::get_string(j, "status");
      if (st == "ready" || st == "standby" || json::get_bool(j, "ready").value_or(false)) return true;
    }
    return false;
  }

  // QEMU's word that the job is ready: JOB_STATUS_CHANGE ready (or standby, only reachable from ready),
  // BLOCK_JOB_READY, or a query result that lists it so.
  bool says_ready(const json::Value& msg) const {
    if (const json::Value* r = json::find(msg, "return")) return lists_ready(*r);
    const json::Value* data = json::find(msg, "data");
    if (!data) return false;
    const auto event = json::get_string(msg, "event");
    if (event == "BLOCK_JOB_READY") return is_job(*data, "device");
    const auto st = json::get_string(*data, "status");
    return event == "JOB_STATUS_CHANGE" && is_job(*data, "id") && (st == "ready" || st == "standby");
  }

  void check(const json::Value& c, bool final) {
    auto expect_eq = [&](const std::string& what, const std::string& got, const std::string& want) {
      if (r_.ok && got != want) fail(what + ": got '" + got + "', want '" + want + "'");
    };
    if (auto v = json::get_string(c, "status")) expect_eq("status", to_string(m_->status()), std::string(*v));
    if (auto v = json::get_bool(c, "ready")) expect_eq("ready", m_->ready() ? "true" : "false", *v ? "true" : "false");
    if (auto v = json::get_bool(c, "paused_by_error"))
      expect_eq("paused_by_error", m_->paused_by_error() ? "true" : "false", *v ? "true" : "false");
    if (auto v = json::get_bool(c, "done")) expect_eq("done", m_->done() ? "true" : "false", *v ? "true" : "false");
    if (auto v = json::get_uint(c, "error_events"))
      expect_eq("error_events", std::to_string(m_->error_events()), std::to_string(*v));
    if (auto v = json::get_uint(c, "offset")) expect_eq("offset", std::to_string(m_->offset()), std::to_string(*v));
    if (auto v = json::get_uint(c, "len")) expect_eq("len", std::to_string(m_->len()), std::to_string(*v));
    if (auto v = json::get_uint(c, "resumes")) expect_eq("resumes", std::to_string(m_->resumes()), std::to_string(*v));
    if (auto v = json::get_uint(c, "ready_reports"))
      expect_eq("ready reports", std::to_string(ready_reports_), std::to_string(*v));
    if (auto v = json::get_uint(c, "job_error_reports"))
      expect_eq("job error reports", std::to_string(job_error_reports_), std::to_string(*v));
    if (auto v = json::get_uint(c, "paused_reports"))
      expect_eq("paused-by-error reports", std::to_string(paused_reports_), std::to_string(*v));
    if (auto v = json::get_bool(c, "progress_ready")) {
      if (progress_ready_.empty()) return fail("no progress report yet");
      const bool p = progress_ready_.back();
      expect_eq("the last progress report's ready", p ? "true" : "false", *v ? "true" : "false");
    }
    if (auto* armed_list = json::find(c, "armed"); armed_list && armed_list->IsArray()) {
      for (const auto& t : armed_list->GetArray()) {
        auto timer = parse_timer(json::view(t));
        if (r_.ok && (!timer || !armed(*timer))) fail("timer " + json::to_string(t) + " is not armed");
      }
    }
    const auto& res = m_->result();
    if (auto v = json::get_string(c, "outcome")) {
      if (!res) return fail("no outcome yet; want " + std::string(*v));
      expect_eq("outcome", to_string(res->outcome), std::string(*v));
    }
    if (auto v = json::get_string(c, "error"); v && res) expect_eq("error", res->diagnostics.text(), std::string(*v));
    if (auto v = json::get_string(c, "error_contains"); v && res && r_.ok) {
      if (res->diagnostics.text().find(*v) == std::string::npos)
        fail("error '" + res->diagnostics.text() + "' does not contain '" + std::string(*v) + "'");
    }
    if (auto v = json::get_string(c, "deadline"); v && res)
      expect_eq("deadline", res->deadline ? to_string(*res->deadline) : "none", std::string(*v));
    if (final) {
      if (!json::find(c, "outcome") && res && r_.ok) fail("finished unexpectedly: " + describe(*res));
      if (!json::find(c, "deadline") && res && res->deadline && r_.ok)
        fail(std::string("a deadline fired: ") + to_string(*res->deadline));
      if (!json::find(c, "error") && !json::find(c, "error_contains") && res && !res->diagnostics.empty() && r_.ok)
        fail("unexpected error text: " + res->diagnostics.text());
    }
  }

  void fail(const std::string& why) {
    if (!r_.ok) return;
    r_.ok = false;
    r_.failure = why;
    if (step_) r_.failure += " (at fixture line " + std::to_string(step_->line) + ": " + step_->text + ")";
  }

  ReplayResult& r_;
  std::optional<JobStateMachine> m_;
  const Step* step_ = nullptr;
  std::deque<SendCommand> unmatched_;
  std::deque<Command> awaiting_reply_;
  std::uint64_t seq_ = 0;
  int ready_reports_ = 0, job_error_reports_ = 0, paused_reports_ = 0, finished_count_ = 0;
  std::vector<bool> progress_ready_;
  bool armed_[4] = {};
  bool qemu_said_ready_ = false;
};

}  // namespace

ReplayResult replay(const std::vector<Step>& steps, const Hooks& hooks) {
  ReplayResult r;
  try {
    Replayer(r).run(steps, hooks);
  } catch (const std::exception& e) {
    r.ok = false;
    r.failure = std::string("exception: ") + e.what();
  }
  return r;
}

}  // namespace mirror::test
