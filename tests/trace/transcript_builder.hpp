// Builds small transcripts for tests: .to(command) / .from(reply or event), times 100 µs apart; a client number
// tags the entry as a recording of `qmpc proxy` does.
#pragma once

#include "qmp/transcript.hpp"

#include <optional>
#include <string>

namespace trace_test {

class TranscriptBuilder {
 public:
  TranscriptBuilder& greeting() {
    return from(R"({"QMP":{"version":{"qemu":{"micro":22,"minor":2,"major":7},"package":""},"capabilities":["oob"]}})");
  }
  TranscriptBuilder& capabilities() {
    to(R"({"execute":"qmp_capabilities","id":"caps"})");
    return from(R"({"return":{},"id":"caps"})");
  }
  TranscriptBuilder& to(const std::string& json, std::optional<std::uint64_t> client = std::nullopt) {
    return add(qmp::Direction::to_qemu, json, client);
  }
  TranscriptBuilder& from(const std::string& json, std::optional<std::uint64_t> client = std::nullopt) {
    return add(qmp::Direction::from_qemu, json, client);
  }
  // The seq the next message will get.
  std::uint64_t next_seq() const { return t_.entries.size() + 1; }
  const qmp::Transcript& build() const { return t_; }

 private:
  TranscriptBuilder& add(qmp::Direction d, const std::string& json, std::optional<std::uint64_t> client) {
    qmp::TranscriptEntry e;
    e.client = client;
    e.seq = t_.entries.size() + 1;
    e.time = std::chrono::microseconds(100 * t_.entries.size());
    e.direction = d;
    e.json = json;
    t_.entries.push_back(std::move(e));
    return *this;
  }
  qmp::Transcript t_;
};

inline std::string jsc(const std::string& status, const std::string& id = "job0") {
  return R"({"event":"JOB_STATUS_CHANGE","data":{"status":")" + status + R"(","id":")" + id + "\"}}";
}
inline std::string ret(const std::string& id) { return R"({"return":{},"id":")" + id + "\"}"; }
inline std::string cmd(const std::string& name, const std::string& args, const std::string& id) {
  return R"({"execute":")" + name + "\"" + (args.empty() ? "" : ",\"arguments\":" + args) + R"(,"id":")" + id +
         "\"}";
}

}  // namespace trace_test
