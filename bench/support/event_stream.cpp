#include "support/event_stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>

namespace qmpc_bench {
namespace {

void append_event(std::string& out, std::size_t i) {
  static constexpr const char* kStatuses[] = {"created", "running", "ready", "standby", "ready",
                                              "waiting", "pending", "concluded", "null"};
  const unsigned long seconds = 1795626326UL + i / 1000;
  const unsigned long micros = (i * 7919UL) % 1000000UL;
  const unsigned long long len = 1073741824ULL;
  const unsigned long long offset = (i * 65536ULL) % len;
  char buf[512];
  int n = 0;
  switch (i % 12) {
    case 9:
      n = std::snprintf(buf, sizeof buf,
                        R"({"timestamp": {"seconds": %lu, "microseconds": %lu}, "event": "BLOCK_JOB_READY", )"
                        R"("data": {"device": "job0", "len": %llu, "offset": %llu, "speed": 0, "type": "mirror"}})",
                        seconds, micros, len, offset);
      break;
    case 10:
      n = std::snprintf(buf, sizeof buf,
                        R"({"timestamp": {"seconds": %lu, "microseconds": %lu}, "event": "BLOCK_JOB_ERROR", )"
                        R"("data": {"device": "job0", "operation": "write", "action": "ignore"}})",
                        seconds, micros);
      break;
    case 11:
      n = std::snprintf(buf, sizeof buf,
                        R"({"timestamp": {"seconds": %lu, "microseconds": %lu}, "event": "BLOCK_JOB_COMPLETED", )"
                        R"("data": {"device": "job0", "len": %llu, "offset": %llu, "speed": 0, "type": "mirror"}})",
                        seconds, micros, len, offset);
      break;
    default:
      n = std::snprintf(buf, sizeof buf,
                        R"({"timestamp": {"seconds": %lu, "microseconds": %lu}, "event": "JOB_STATUS_CHANGE", )"
                        R"("data": {"status": "%s", "id": "job0"}})",
                        seconds, micros, kStatuses[i % 12 % 9]);
      break;
  }
  out.append(buf, static_cast<std::size_t>(n));
  out += "\r\n";
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads one line from the client; false on EOF.
bool read_line(int fd, std::string& pending, std::string& line) {
  for (;;) {
    const auto nl = pending.find('\n');
    if (nl != std::string::npos) {
      line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      return true;
    }
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

// The JSON text of the command's "id" member ("" when it has none); enough for qmpc's and the raw client's ids.
std::string id_of(const std::string& command) {
  const auto at = command.find("\"id\":");
  if (at == std::string::npos) return "";
  std::size_t b = at + 5, e = b;
  while (e < command.size() && command[e] != '}' && command[e] != ',') ++e;
  return command.substr(b, e - b);
}

std::string reply_to(const std::string& command) {
  const std::string id = id_of(command);
  return id.empty() ? "{\"return\": {}}\r\n" : "{\"return\": {}, \"id\": " + id + "}\r\n";
}

}  // namespace

std::string make_event_block(std::size_t count) {
  std::string out;
  out.reserve(count * 160);
  for (std::size_t i = 0; i < count; ++i) append_event(out, i);
  return out;
}

bool serve_event_flood(int fd, const std::string& block, std::size_t repeat) {
  static constexpr const char* kGreeting =
      R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}})"
      "\r\n";
  std::string pending, line;
  if (!write_all(fd, kGreeting)) return false;
  if (!read_line(fd, pending, line) || line.find("qmp_capabilities") == std::string::npos) return false;
  if (!write_all(fd, reply_to(line))) return false;
  if (!read_line(fd, pending, line)) return false;
  for (std::size_t r = 0; r < repeat; ++r) {
    if (!write_all(fd, block)) return false;
  }
  if (!write_all(fd, reply_to(line))) return false;
  char buf[4096];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
  return true;
}

}  // namespace qmpc_bench
