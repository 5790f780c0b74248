// qmpc job list|info|wait|complete|cancel|pause|resume|speed|finalize|dismiss: QEMU's jobs, whoever started them.
//
// job-* commands are used where QEMU has them (2.12 and later), block-job-* otherwise. `job complete` follows the
// ready rule of every pivot qmpc sends (mirror/ready_rule.hpp): refused, with QEMU's status, unless the job
// itself says it is ready.
#include "block_jobs.hpp"

#include "mirror/job_snapshot.hpp"
#include "mirror/ready_rule.hpp"

#include "qmp/json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>

namespace qmpc {

namespace asio = boost::asio;
namespace json = qmp::json;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

namespace {

bool command_not_found(const qmp::error_code& ec, const qmp::Reply& r) {
  return ec && qmp::kind_of(ec) == qmp::error_kind::qmp && r.diagnostics.qmp_class == "CommandNotFound";
}

int failed(const std::string& why) {
  std::fflush(stdout);
  std::fprintf(stderr, "qmpc: %s\n", why.c_str());
  std::fflush(stderr);
  return cli::to_int(cli::ExitCode::failed);
}

// The job's entries in query-jobs (none before QEMU 2.12) and query-block-jobs, and the lists themselves.
struct JobQueries {
  qmp::Reply jobs, block_jobs;
  bool have_query_jobs = false;
  std::optional<mirror::JobSnapshot> job, block_job;
};

asio::awaitable<std::pair<qmp::error_code, JobQueries>> query(qmp::Session& s, const std::string& id) {
  JobQueries q;
  auto [ec, jobs] = co_await s.async_execute("query-jobs", "", tok);
  if (ec && !command_not_found(ec, jobs)) {
    q.block_jobs = std::move(jobs);  // (callers report the failure from there)
    co_return std::pair{ec, std::move(q)};
  }
  q.have_query_jobs = !ec;
  q.jobs = std::move(jobs);
  auto [ec2, block_jobs] = co_await s.async_execute("query-block-jobs", "", tok);
  if (ec2) {
    q.block_jobs = std::move(block_jobs);
    co_return std::pair{ec2, std::move(q)};
  }
  q.block_jobs = std::move(block_jobs);
  if (q.have_query_jobs) q.job = mirror::find_job(q.jobs.value(), mirror::JobQuery::query_jobs, id);
  q.block_job = mirror::find_job(q.block_jobs.value(), mirror::JobQuery::query_block_jobs, id);
  co_return std::pair{qmp::error_code{}, std::move(q)};
}

const json::Value* entry(const json::Value& list, std::string_view key, std::string_view id) {
  if (!list.IsArray()) return nullptr;
  for (const auto& e : list.GetArray())
    if (json::get_string(e, key) == id) return &e;
  return nullptr;
}

// One object: the query-jobs entry's members, then those of the query-block-jobs entry it lacks.
std::string merged(const JobQueries& q, const std::string& id) {
  json::Object out;
  const json::Value* a = q.have_query_jobs ? entry(q.jobs.value(), "id", id) : nullptr;
  const json::Value* b = entry(q.block_jobs.value(), "device", id);
  if (a)
    for (const auto& m : a->GetObject()) out.add(json::view(m.name), m.value);
  if (b)
    for (const auto& m : b->GetObject())
      if (!a || !a->HasMember(m.name)) out.add(json::view(m.name), m.value);
  return out.str();
}

// Runs job-VERB {"id":ID} (+ extra), or block-job-VERB with `device` or `id` where QEMU lacks job-VERB.
asio::awaitable<int> job_command(qmp::Session& s, const std::string& verb, const std::string& id,
                                 bool block_job_by_device) {
  auto [ec, r] = co_await s.async_execute("job-" + verb, json::Object().add("id", id).str(), tok);
  if (command_not_found(ec, r)) {
    std::tie(ec, r) = co_await s.async_execute(
        "block-job-" + verb, json::Object().add(block_job_by_device ? "device" : "id", id).str(), tok);
  }
  if (ec) co_return report_error(ec, r.diagnostics, "job " + verb + " " + id);
  co_return 0;
}

asio::awaitable<int> list(qmp::Session& s) {
  auto [ec, r] = co_await s.async_execute("query-jobs", "", tok);
  if (command_not_found(ec, r)) std::tie(ec, r) = co_await s.async_execute("query-block-jobs", "", tok);
  if (ec) co_return report_error(ec, r.diagnostics, "job list");
  if (r.value().IsArray())
    for (const auto& e : r.value().GetArray()) print_json_line(json::to_string(e));
  co_return 0;
}

// Whether the status seen satisfies --until.
bool reached(std::string_view until, std::string_view status) {
  if (until == "ready") return status == "ready" || status == "standby";
  if (until == "concluded") return status == "concluded" || status == "null";
  return status == "null";
}

asio::awaitable<int> wait(qmp::Session& s, const cli::JobCommandOptions& o) {
  // Subscribe before querying: a change between the query and the first event wait is kept.
  qmp::EventFilter f;
  f.names = {"JOB_STATUS_CHANGE", "BLOCK_JOB_READY", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"};
  auto sub = s.subscribe(std::move(f));
  auto [ec, q] = co_await query(s, o.id);
  if (ec) co_return report_error(ec, q.block_jobs.diagnostics, "job wait " + o.id);
  if (!q.job && !q.block_job) {
    // Gone already: that is what --until gone (or concluded) waits for; a job never seen cannot become ready.
    if (o.until == "ready") co_return failed("QEMU has no job '" + o.id + "'");
    print_json_line(json::Object().add("id", o.id).add("status", "null").str());
    co_return 0;
  }
  std::string status = q.job && q.job->status ? mirror::to_string(*q.job->status)
                       : q.block_job && q.block_job->status ? mirror::to_string(*q.block_job->status)
                       : q.block_job && q.block_job->ready.value_or(false) ? "ready"
                                                                          : "running";
  const auto deadline = o.wait_timeout_s ? qmp::Clock::now() + seconds(*o.wait_timeout_s) : qmp::Clock::time_point::max();
  while (!reached(o.until, status)) {
    const auto left = deadline == qmp::Clock::time_point::max() ? qmp::no_timeout : deadline - qmp::Clock::now();
    if (left <= qmp::Clock::duration::zero()) break;
    auto [eec, m] = co_await sub.async_next(left, tok);
    if (eec == qmp::make_error_code(qmp::errc::timeout)) break;
    if (eec) co_return report_error(eec, s.failure_diagnostics(), "job wait " + o.id);
    const json::Value* data = m.data();
    if (!data) continue;
    const std::string_view name = m.event_name();
    if (name == "JOB_STATUS_CHANGE") {
      if (json::get_string(*data, "id") != o.id) continue;
      status = std::string(json::get_string(*data, "status").value_or(""));
    } else if (json::get_string(*data, "device") == o.id) {
      if (name == "BLOCK_JOB_READY" && status == "running") status = "ready";
      // Before QEMU 2.12 (no JOB_STATUS_CHANGE) a job is gone with its end event.
      if ((name == "BLOCK_JOB_COMPLETED" || name == "BLOCK_JOB_CANCELLED") && !q.have_query_jobs) status = "null";
    }
    if (o.until == "ready" && (status == "null" || status == "concluded" || status == "aborting"))
      co_return failed("job '" + o.id + "' ended (status '" + status + "') without becoming ready");
  }
  print_json_line(json::Object().add("id", o.id).add("status", status).str());
  if (!reached(o.until, status)) {
    std::fprintf(stderr, "qmpc: job '%s' did not reach '%s' within %g s (status '%s')\n", o.id.c_str(),
                 o.until.c_str(), o.wait_timeout_s.value_or(0), status.c_str());
    co_return cli::to_int(cli::ExitCode::deadline);
  }
  co_return 0;
}

asio::awaitable<int> complete(qmp::Session& s, const std::string& id) {
  auto [ec, q] = co_await query(s, id);
  if (ec) co_return report_error(ec, q.block_jobs.diagnostics, "job complete " + id);
  if (auto why = mirror::completion_refusal(id, "complete", q.job, q.block_job)) co_return failed(*why);
  co_return co_await job_command(s, "complete", id, true);
}

}  // namespace

asio::awaitable<int> run_job(const Runtime& rt, const cli::JobCommandOptions& o) {
  qmp::Session session(co_await asio::this_coro::executor, rt.session_options());
  if (int rc = co_await connect_session(session, rt)) co_return rc;
  const std::string& a = o.action;
  if (a == "list") co_return co_await list(session);
  if (a == "info") {
    auto [ec, q] = co_await query(session, o.id);
    if (ec) co_return report_error(ec, q.block_jobs.diagnostics, "job info " + o.id);
    if (!q.job && !q.block_job) co_return failed("QEMU has no job '" + o.id + "'");
    print_json_line(merged(q, o.id));
    co_return 0;
  }
  if (a == "wait") co_return co_await wait(session, o);
  if (a == "complete") co_return co_await complete(session, o.id);
  if (a == "cancel") {
    // block-job-cancel, not job-cancel: after ready a plain one is a soft cancel (the source stays), --force aborts.
    json::Object args;
    args.add("device", o.id);
    if (o.force) args.add("force", true);
    auto [ec, r] = co_await session.async_execute("block-job-cancel", args.str(), tok);
    if (ec) co_return report_error(ec, r.diagnostics, "job cancel " + o.id);
    co_return 0;
  }
  if (a == "pause" || a == "resume") co_return co_await job_command(session, a, o.id, true);
  if (a == "finalize" || a == "dismiss") co_return co_await job_command(session, a, o.id, false);
  if (a == "speed") {
    auto [ec, r] = co_await session.async_execute(
        "block-job-set-speed", json::Object().add("device", o.id).add("speed", o.speed).str(), tok);
    if (ec) co_return report_error(ec, r.diagnostics, "job speed " + o.id);
    co_return 0;
  }
  std::fprintf(stderr, "qmpc job: unknown action '%s'\n", a.c_str());
  co_return cli::to_int(cli::ExitCode::usage);
}

}  // namespace qmpc
