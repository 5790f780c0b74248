// Inputs for mirror::JobStateMachine tests written in code: QMP messages with increasing sequence numbers (the
// order they were read in), replies, and what the machine sent in reaction.
#pragma once

#include <mirror/job_state_machine.hpp>

#include <qmp/codec.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mirror::test {

// A message read from QEMU now: each call takes the next sequence number.
inline qmp::Message msg(const std::string& text) {
  static std::uint64_t seq = 0;
  auto d = qmp::decode_line(text, ++seq, qmp::Clock::now());
  EXPECT_TRUE(d.message) << text;
  return d.message ? *d.message : qmp::Message{};
}

inline qmp::Message jsc(const std::string& status, const std::string& id = "job0") {
  return msg(R"({"event":"JOB_STATUS_CHANGE","data":{"status":")" + status + R"(","id":")" + id + R"("}})");
}

inline qmp::Message block_job_event(const std::string& name, const std::string& extra = "") {
  return msg(R"({"event":")" + name + R"(","data":{"device":"job0","len":4,"offset":4,"speed":0,"type":"mirror")" +
             extra + "}}");
}

// A command's outcome as the session completes it: the error code and the reply.
using Received = std::pair<qmp::error_code, qmp::Reply>;

inline Received ok(const std::string& ret = "{}") { return qmp::reply_from_message(msg(R"({"return":)" + ret + "}")); }
inline Received err(const std::string& desc, const std::string& cls = "GenericError") {
  return qmp::reply_from_message(msg(R"({"error":{"class":")" + cls + R"(","desc":")" + desc + R"("}})"));
}
// No reply: the connection went, or none came in time (`code`), as `desc` says.
inline Received lost(const std::string& desc, qmp::errc code = qmp::errc::connection_lost) {
  Received r{make_error_code(code), {}};
  r.second.diagnostics.what = desc;
  return r;
}

inline Actions on_reply(JobStateMachine& m, Command c, const Received& r) { return m.on_reply(c, r.first, r.second); }
inline Actions on_poll_failed(JobStateMachine& m, const Received& r) { return m.on_poll_failed(r.first, r.second); }

// A query-block-jobs return value with one entry for job0.
inline std::string bj(const char* status, bool paused, const char* io, bool ready) {
  return std::string(R"([{"device":"job0","status":")") + status + R"(","paused":)" + (paused ? "true" : "false") +
         R"(,"io-status":")" + io + R"(","ready":)" + (ready ? "true" : "false") + R"(,"offset":8,"len":8,"speed":0}])";
}

// Feeds a progress poll read now.
inline Actions poll(JobStateMachine& m, const std::string& ret) {
  const auto r = msg(R"({"return":)" + ret + "}");
  return m.on_poll(*r.result(), r.seq(), r.time());
}

template <typename T>
int count(const Actions& a) {
  int n = 0;
  for (const auto& x : a) n += std::holds_alternative<T>(x) ? 1 : 0;
  return n;
}

inline std::vector<std::string> sent(const Actions& a) {
  std::vector<std::string> out;
  for (const auto& x : a)
    if (auto* c = std::get_if<SendCommand>(&x)) out.push_back(c->name + (c->arguments.empty() ? "" : " " + c->arguments));
  return out;
}

// A machine whose job was created and runs (the start command returned).
inline JobStateMachine started(JobConfig cfg = {}) {
  JobStateMachine m(std::move(cfg));
  m.start();
  m.on_event(jsc("created"));
  m.on_event(jsc("running"));
  on_reply(m, Command::start, ok());
  return m;
}

}  // namespace mirror::test
