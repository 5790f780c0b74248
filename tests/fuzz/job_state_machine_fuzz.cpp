// mirror::JobStateMachine fed a random sequence of events, replies, polls (failed ones too), requests, deadlines,
// resyncs and lost connections, in any order, with sequence numbers that sometimes go back (a reply handed over
// after newer events).
//
// Input: lines. A line in the format of fixtures/events (in/poll/request/deadline/resync/lost; a first line
// config) is one step; out/check/expect/comment lines are skipped. Any other line is read as bytes that pick steps
// (and, on the first line, the job's configuration). So the fixtures are seeds, and every mutation of them means
// something.
// The configuration picks the job kind (mirror, active commit, commit, stream, backup) and whether the machine
// starts the job or attaches to a running one.
// Properties: never a completion (job-complete / block-job-complete) unless the start command succeeded (or the
// machine attached) and the job itself said it is ready (JOB_STATUS_CHANGE ready, BLOCK_JOB_READY, or a query's
// status ready/standby), and never one for a kind without a ready phase; one
// Finished at most, nothing sent after it; nothing at all once finished but refusals of requests; no crash.
#include "fuzz_check.hpp"
#include "job_inputs.hpp"

#include <mirror/job_state_machine.hpp>
#include <qmp/codec.hpp>
#include <qmp/json.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace mirror;
namespace json = qmp::json;

constexpr std::string_view kJob = "job0";
// A repeated message (a flood step, a fixture's "repeat") is handed over this many times at most. The machine's
// counters stop mattering long before (a job is resumed at most 3 times, polls fail 2 times in a row at most;
// errors are counted, never stored), and each copy is a full decode: more would only slow the target down.
constexpr int kMaxRepeat = 12;

bool names_job(const json::Value& v, std::string_view key) { return json::get_string(v, key) == kJob; }

bool ready_status(const json::Value& v) {
  const auto s = json::get_string(v, "status");
  return s == "ready" || s == "standby";
}

// The job's own word that it is ready, in an event.
bool event_says_ready(const qmp::Message& m) {
  const json::Value* data = m.data();
  if (!data) return false;
  if (m.event_name() == "JOB_STATUS_CHANGE") return names_job(*data, "id") && json::get_string(*data, "status") == "ready";
  return m.event_name() == "BLOCK_JOB_READY" && names_job(*data, "device");
}

// ... in a query-jobs (key "id") or query-block-jobs (key "device") list.
bool list_says_ready(const json::Value* list, std::string_view key) {
  if (!list || !list->IsArray()) return false;
  for (const auto& e : list->GetArray())
    if (names_job(e, key) && ready_status(e)) return true;
  return false;
}

class Harness {
 public:
  Harness(JobConfig config, bool attach) : m_(std::move(config)) {
    if (attach) {
      start_ok_ = true;  // the job runs already
      take(m_.attach(), [] { return std::string("attach"); });
    } else {
      take(m_.start(), [] { return std::string("start"); });
    }
  }

  void event(const std::string& text, bool older) {
    auto m = decode(text, older);
    if (!m) return;
    said_ready_ = said_ready_ || event_says_ready(*m);
    take(m_.on_event(*m), [&] { return text; });
  }

  // A reply or error reply: it answers the oldest command not yet answered (QMP answers in order).
  void reply(const std::string& text, bool older) {
    if (awaiting_.empty()) return;
    auto m = decode(text, older);
    if (!m || (m->kind() != qmp::MessageKind::reply && m->kind() != qmp::MessageKind::error_reply)) return;
    const Command c = awaiting_.front();
    awaiting_.pop_front();
    const auto [ec, r] = qmp::reply_from_message(*m);
    if (c == Command::start && !ec) start_ok_ = true;
    if (!ec && (c == Command::query_jobs || c == Command::query_block_jobs))
      said_ready_ = said_ready_ || list_says_ready(&r.value(), c == Command::query_jobs ? "id" : "device");
    take(m_.on_reply(c, ec, r), [&] { return text; });
  }

  void transport_error() {
    if (awaiting_.empty()) return;
    const Command c = awaiting_.front();
    awaiting_.pop_front();
    qmp::Reply none;
    none.diagnostics.what = "Connection reset by peer";
    take(m_.on_reply(c, make_error_code(qmp::errc::connection_lost), none),
         [] { return std::string("transport error"); });
  }

  void poll(const json::Value& list) {
    said_ready_ = said_ready_ || list_says_ready(&list, "device");
    ++seq_;
    take(m_.on_poll(list, seq_, time(seq_)), [&] { return "poll " + json::to_string(list); });
  }
  void poll(const std::string& text) {
    if (auto d = json::parse_object("{\"p\":" + text + "}")) poll((*d)["p"]);
  }

  void request(Request r) {
    take(m_.request(r), [r] { return std::string("request ") + to_string(r); });
  }
  void deadline(Timer t) {
    take(m_.on_deadline(t), [t] { return std::string("deadline ") + to_string(t); });
  }
  void resync() { take(m_.resync(), [] { return std::string("resync"); }); }
  void poll_failed(bool refused) {
    ++seq_;
    auto [ec, r] = refused ? qmp::reply_from_message(*qmp::decode_line(
                                 R"({"error":{"class":"GenericError","desc":"refused"}})", seq_, time(seq_))
                                                             .message)
                           : std::pair<qmp::error_code, qmp::Reply>{make_error_code(qmp::errc::timeout), {}};
    if (!refused) r.diagnostics.what = "no reply";
    take(m_.on_poll_failed(ec, r), [] { return std::string("failed poll"); });
  }
  void lost() {
    take(m_.on_connection_lost("Connection reset by peer"), [] { return std::string("connection lost"); });
  }

  Command oldest_awaiting() const { return awaiting_.empty() ? Command::start : awaiting_.front(); }

 private:
  static qmp::Clock::time_point time(std::uint64_t seq) { return qmp::Clock::time_point{} + std::chrono::microseconds(seq); }

  std::optional<qmp::Message> decode(const std::string& text, bool older) {
    ++seq_;
    const std::uint64_t seq = older ? seq_ / 2 : seq_;
    return qmp::decode_line(text, seq, time(seq)).message;
  }

  // `input` names what was handed over; it is only called to describe a violated property.
  template <typename Input>
  void take(const Actions& actions, const Input& input) {
    const bool was_finished = finished_;
    for (const Action& a : actions) {
      const auto what = [&] { return describe(a) + " after " + input(); };
      QMPC_FUZZ_CHECK(!was_finished || std::holds_alternative<Refused>(a), "an action once finished: " + what());
      if (const auto* s = std::get_if<SendCommand>(&a)) {
        QMPC_FUZZ_CHECK(!finished_, "a command sent after Finished: " + what());
        const bool completion = s->command == Command::complete || s->name == "job-complete" ||
                                s->name == "block-job-complete";
        if (completion) {
          QMPC_FUZZ_CHECK(start_ok_, "a completion before the start command succeeded: " + what());
          QMPC_FUZZ_CHECK(said_ready_, "a completion for a job that never said it is ready: " + what());
          QMPC_FUZZ_CHECK(m_.ready(), "a completion while the machine does not hold the job ready: " + what());
          QMPC_FUZZ_CHECK(has_ready_phase(m_.config().kind), "a completion of a job without a ready phase: " + what());
        }
        awaiting_.push_back(s->command);
      } else if (std::holds_alternative<Finished>(a)) {
        QMPC_FUZZ_CHECK(!finished_, "a second Finished: " + what());
        finished_ = true;
      }
    }
    QMPC_FUZZ_CHECK(finished_ == m_.done(), "Finished and done() disagree after " + input());
  }

  JobStateMachine m_;
  std::deque<Command> awaiting_;
  std::uint64_t seq_ = 0;
  bool start_ok_ = false;
  bool said_ready_ = false;
  bool finished_ = false;
};

// --- steps from bytes ---

JobConfig config_from(FuzzedDataProvider& in) {
  JobConfig c;
  c.job_id = std::string(kJob);
  c.kind = static_cast<JobKind>(in.ConsumeIntegralInRange(0, 4));
  c.start_command = in.ConsumeBool() ? "drive-mirror" : "blockdev-mirror";
  c.start_arguments = R"({"job-id":"job0","device":"src0","target":"tgt","sync":"full"})";
  c.job_commands = in.ConsumeBool();
  c.auto_finalize = in.ConsumeBool();
  c.auto_dismiss = in.ConsumeBool();
  c.end_mode = static_cast<EndMode>(in.ConsumeIntegralInRange(0, 6));
  c.max_resumes = in.ConsumeIntegralInRange(0u, 2u);
  return c;
}

void byte_steps(Harness& h, FuzzedDataProvider& in) {
  while (in.remaining_bytes() > 0) {
    const bool older = in.ConsumeIntegralInRange(0, 7) == 0;
    switch (in.ConsumeIntegralInRange(0, 15)) {
      case 0: case 1: case 2: case 3: case 4: h.event(qmpc_fuzz::make_event(in, std::string(kJob)), older); break;
      case 5: case 6: case 7: h.reply(qmpc_fuzz::make_reply(in, h.oldest_awaiting(), std::string(kJob)), older); break;
      case 8: h.poll(qmpc_fuzz::make_block_jobs(in, std::string(kJob))); break;
      case 9: case 10: h.request(static_cast<Request>(in.ConsumeIntegralInRange(0, 3))); break;
      case 11: case 12: h.deadline(static_cast<Timer>(in.ConsumeIntegralInRange(0, 3))); break;
      case 13: {
        const int what = in.ConsumeIntegralInRange(0, 2);
        what == 0 ? h.resync() : h.poll_failed(what == 1);
        break;
      }
      case 14: in.ConsumeBool() ? h.lost() : h.transport_error(); break;
      default: {  // a flood of the same event, as QEMU sends BLOCK_JOB_ERROR with action ignore
        const std::string e = qmpc_fuzz::make_event(in, std::string(kJob));
        for (int n = in.ConsumeIntegralInRange(2, kMaxRepeat); n > 0; --n) h.event(e, false);
      }
    }
  }
}

template <typename E, std::size_t N>
std::optional<E> enum_named(std::string_view s, const E (&all)[N]) {
  for (E e : all)
    if (s == to_string(e)) return e;
  return std::nullopt;
}

JobConfig fixture_config(const json::Value& c) {
  JobConfig cfg;
  cfg.job_id = std::string(kJob);
  if (auto v = json::get_string(c, "start_command")) cfg.start_command = std::string(*v);
  if (auto* a = json::find(c, "start_arguments")) cfg.start_arguments = json::to_string(*a);
  cfg.job_commands = json::get_bool(c, "job_commands").value_or(true);
  cfg.auto_finalize = json::get_bool(c, "auto_finalize").value_or(true);
  cfg.auto_dismiss = json::get_bool(c, "auto_dismiss").value_or(true);
  static constexpr EndMode kModes[] = {EndMode::pivot, EndMode::finish, EndMode::abort, EndMode::wait_ready,
                                       EndMode::detach, EndMode::manual, EndMode::run};
  static constexpr JobKind kKinds[] = {JobKind::mirror, JobKind::active_commit, JobKind::commit, JobKind::stream,
                                       JobKind::backup};
  if (auto v = json::get_string(c, "end_mode")) cfg.end_mode = enum_named(*v, kModes).value_or(EndMode::pivot);
  if (auto v = json::get_string(c, "kind")) cfg.kind = enum_named(*v, kKinds).value_or(JobKind::mirror);
  cfg.max_resumes = static_cast<unsigned>(json::get_uint(c, "max_resumes").value_or(0) % 4);
  return cfg;
}

// A fixture step; false when the line is none.
bool fixture_step(Harness& h, const json::Document& d) {
  static constexpr Request kRequests[] = {Request::pivot, Request::finish, Request::abort, Request::wait_ready};
  static constexpr Timer kTimers[] = {Timer::ready, Timer::completion, Timer::soft_cancel, Timer::abort};
  if (const json::Value* in = json::find(d, "in")) {
    const std::string text = json::to_string(*in);
    const bool is_reply = json::find(*in, "return") || json::find(*in, "error");
    for (auto n = std::min<std::uint64_t>(json::get_uint(d, "repeat").value_or(1), kMaxRepeat); n > 0; --n)
      is_reply ? h.reply(text, false) : h.event(text, false);
  } else if (const json::Value* p = json::find(d, "poll")) {
    h.poll(*p);
  } else if (auto r = json::get_string(d, "request")) {
    if (auto req = enum_named(*r, kRequests)) h.request(*req);
  } else if (auto t = json::get_string(d, "deadline")) {
    if (auto timer = enum_named(*t, kTimers)) h.deadline(*timer);
  } else if (json::find(d, "resync")) {
    h.resync();
  } else if (json::find(d, "lost")) {
    h.lost();
  } else {
    return d.HasMember("out") || d.HasMember("check") || d.HasMember("expect") || d.HasMember("comment");
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::optional<Harness> h;
  while (!input.empty()) {
    const std::size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    auto doc = json::parse_object(line);
    if (!h && doc && doc->HasMember("config")) {
      const json::Value& c = (*doc)["config"];
      h.emplace(fixture_config(c), json::get_bool(c, "attach").value_or(false));
      continue;
    }
    FuzzedDataProvider bytes(reinterpret_cast<const std::uint8_t*>(line.data()), line.size());
    if (!h) {
      JobConfig c = config_from(bytes);
      h.emplace(std::move(c), bytes.ConsumeBool());
    }
    if (!doc || !fixture_step(*h, *doc)) byte_steps(*h, bytes);
  }
  return 0;
}
