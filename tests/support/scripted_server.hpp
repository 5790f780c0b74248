// A fake QMP server that plays a script, for what real QEMU cannot do on demand: hostile bytes, lines split at odd
// points, events at chosen moments, silence, EOF or a reset at a precise step.
//
//   qmpc_test::ScriptedServer server(ioc.get_executor());      // on a socketpair
//   session.adopt(server.release_client_fd());
//   server.send_greeting()
//         .expect("qmp_capabilities")                          // replies {"return": {}, "id": <the command's id>}
//         .expect("blockdev-mirror", "")                        // no reply yet ...
//         .send_event("JOB_STATUS_CHANGE", R"({"status": "created", "id": "job0"})")
//         .send_line(R"({"return": {}, "id": $ID})")           // ... the reply after the event
//         .close();
//   server.start();
//
// The script runs on the given executor (the client's io_context) once start() is called. Server lines end in
// "\r\n" like QEMU's. In replies and lines, "$ID" stands for the JSON text of the id of the last expected command
// (when that command had no id, a `, "id": $ID` member is dropped, as QEMU omits it).
//
// Like QEMU, the server consumes a command up to its closing brace and leaves the newline unread until it reads
// the next one, so reset() right after an expected command makes the client see ECONNRESET, exactly as after
// QEMU's `quit`; close() reads what is pending first and gives a clean EOF.
//
// A divergence (another command than expected, a line that is not a command, EOF while a command was expected, an
// unexpected command after the script ended) is reported with ADD_FAILURE and closes the connection.
#pragma once

#include "qmp/message.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qmpc_test {

// The greeting of Debian 12's QEMU 7.2.22, as it sends it (without the "\r\n").
inline constexpr const char* qemu_7_2_greeting =
    R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}})";

class ScriptedServer {
 public:
  using executor_type = boost::asio::any_io_executor;
  using CommandCheck = std::function<void(const qmp::Message& command)>;

  // Serves on one end of a new socketpair; hand the other to the client with release_client_fd().
  explicit ScriptedServer(executor_type ex);
  // Listens on a UNIX socket at `unix_path` (replacing a stale one) and serves the first client that connects.
  ScriptedServer(executor_type ex, std::string unix_path);
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  ~ScriptedServer();  // closes the connection; a script still running stops without reporting anything

  // The client end of the socketpair (the caller owns it), or -1 for a UNIX path server or once taken.
  int release_client_fd();

  // ---- script steps, appended in order (before start()) ----
  ScriptedServer& send_raw(std::string bytes);  // exactly these bytes, in one write
  ScriptedServer& send_line(std::string json);  // "$ID" substituted, "\r\n" appended
  ScriptedServer& send_greeting();              // qemu_7_2_greeting
  ScriptedServer& send_event(std::string name, std::string data_json = "");  // with a current timestamp
  // Reads the next command and fails unless it is `command`; then runs `check` on it and sends `reply`
  // (nothing when empty).
  ScriptedServer& expect(std::string command, std::string reply = R"({"return": {}, "id": $ID})",
                         CommandCheck check = {});
  ScriptedServer& handshake();  // send_greeting() + expect("qmp_capabilities")
  ScriptedServer& pause(std::chrono::milliseconds d);
  ScriptedServer& ignore_forever();  // read and discard everything, answer nothing, until the client goes away
  ScriptedServer& close();           // clean EOF
  ScriptedServer& reset();           // close leaving bytes unread: the client gets ECONNRESET

  void start();

  // Every step ran without divergence.
  bool finished() const noexcept;
  // The script ended: finished, diverged, or the connection ended.
  bool done() const noexcept;
  // Completes once done() (or the server is destroyed).
  boost::asio::awaitable<void> wait_done();
  // Every line received from the client, in order.
  const std::vector<std::string>& received() const noexcept;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace qmpc_test
