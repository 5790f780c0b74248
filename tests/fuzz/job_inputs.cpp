#include "job_inputs.hpp"

#include <qmp/json.hpp>

#include <array>
#include <cstdint>
#include <limits>

namespace qmpc_fuzz {
namespace {

using qmp::json::Object;

template <std::size_t N>
const char* pick(FuzzedDataProvider& in, const std::array<const char*, N>& from) {
  return from[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

const char* status(FuzzedDataProvider& in) {
  static constexpr std::array<const char*, 12> kStatus{"created", "running", "paused",  "ready",     "standby", "waiting",
                                                        "pending", "aborting", "concluded", "null", "undefined", "bogus"};
  return pick(in, kStatus);
}

// Mostly the job itself; sometimes another job or an empty name.
std::string job(FuzzedDataProvider& in, const std::string& job_id) {
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: return "job1";
    case 1: return "";
    default: return job_id;
  }
}

std::uint64_t amount(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: return 0;
    case 1: return 16777216;
    case 2: return std::numeric_limits<std::uint64_t>::max();
    default: return in.ConsumeIntegral<std::uint64_t>();
  }
}

std::string job_entry(FuzzedDataProvider& in, const std::string& job_id, bool block_jobs) {
  static constexpr std::array<const char*, 4> kIo{"ok", "failed", "nospace", "bogus"};
  static constexpr std::array<const char*, 3> kError{"Operation canceled", "Input/output error", ""};
  Object o;
  o.add(block_jobs ? "device" : "id", job(in, job_id)).add("type", "mirror");
  if (in.ConsumeBool()) o.add("status", status(in));
  if (block_jobs) {
    o.add("ready", in.ConsumeBool()).add("paused", in.ConsumeBool()).add("busy", in.ConsumeBool());
    if (in.ConsumeBool()) o.add("io-status", pick(in, kIo));
    o.add("offset", amount(in)).add("len", amount(in)).add("speed", amount(in));
  } else {
    o.add("current-progress", amount(in)).add("total-progress", amount(in));
  }
  if (in.ConsumeIntegralInRange(0, 3) == 0) o.add("error", pick(in, kError));
  return o.str();
}

std::string job_list(FuzzedDataProvider& in, const std::string& job_id, bool block_jobs) {
  std::string out = "[";
  const int n = in.ConsumeIntegralInRange(0, 2);
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ",";
    out += job_entry(in, job_id, block_jobs);
  }
  return out + "]";
}

std::string block_job_data(FuzzedDataProvider& in, const std::string& job_id) {
  return Object().add("device", job(in, job_id)).add("type", "mirror").add("offset", amount(in)).add("len", amount(in))
      .add("speed", amount(in)).str();
}

std::string event(const char* name, const std::string& data) {
  return Object().add("event", name).add_raw("data", data).add_raw("timestamp", R"({"seconds":1,"microseconds":2})")
      .str();
}

}  // namespace

std::string make_event(FuzzedDataProvider& in, const std::string& job_id) {
  static constexpr std::array<const char*, 2> kOperation{"read", "write"};
  static constexpr std::array<const char*, 5> kAction{"report", "ignore", "stop", "enospc", "bogus"};
  switch (in.ConsumeIntegralInRange(0, 9)) {
    case 0:
    case 1:
    case 2: return event("JOB_STATUS_CHANGE", Object().add("status", status(in)).add("id", job(in, job_id)).str());
    case 3: return event("BLOCK_JOB_READY", block_job_data(in, job_id));
    case 4: {
      std::string data = block_job_data(in, job_id);
      if (in.ConsumeBool()) data = data.substr(0, data.size() - 1) + R"(,"error":"Input/output error"})";
      return event("BLOCK_JOB_COMPLETED", data);
    }
    case 5: return event("BLOCK_JOB_CANCELLED", block_job_data(in, job_id));
    case 6:
      return event("BLOCK_JOB_ERROR", Object().add("device", job(in, job_id)).add("operation", pick(in, kOperation))
                                          .add("action", pick(in, kAction)).str());
    case 7: return event("BLOCK_JOB_PENDING", Object().add("type", "mirror").add("id", job(in, job_id)).str());
    case 8: return event("SHUTDOWN", R"({"guest":false,"reason":"host-qmp-quit"})");
    default: return in.ConsumeBool() ? R"({"event":"RESUME"})" : R"({"event":"BLOCK_JOB_READY"})";
  }
}

std::string make_reply(FuzzedDataProvider& in, mirror::Command command, const std::string& job_id) {
  static constexpr std::array<const char*, 4> kClass{"GenericError", "DeviceNotActive", "CommandNotFound",
                                                     "DeviceNotFound"};
  static constexpr std::array<const char*, 4> kDesc{"Job 'job0' is not paused", "The block job for device 'job0' is "
                                                    "currently paused", "Job ID 'job0' already in use", "No such job"};
  if (in.ConsumeIntegralInRange(0, 3) == 0) {
    return Object().add_raw("error", Object().add("class", pick(in, kClass)).add("desc", pick(in, kDesc)).str())
        .str();
  }
  const bool jobs = command == mirror::Command::query_jobs;
  if ((jobs || command == mirror::Command::query_block_jobs) && in.ConsumeIntegralInRange(0, 7) != 0)
    return Object().add_raw("return", job_list(in, job_id, !jobs)).str();
  return R"({"return":{}})";
}

std::string make_block_jobs(FuzzedDataProvider& in, const std::string& job_id) {
  return job_list(in, job_id, true);
}

}  // namespace qmpc_fuzz
