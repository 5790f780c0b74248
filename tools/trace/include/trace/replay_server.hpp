// `qmpc trace replay FILE --listen PATH`: a fake QEMU serving the server side of a transcript on a UNIX socket.
// It accepts one client, plays the ReplayScript to it (at recorded pace if asked) until the client disconnects,
// then completes with the outcome. Everything runs on the given executor; no threads.
#pragma once

#include "qmp/error.hpp"
#include "qmp/transcript.hpp"
#include "qmp/transcript_lines.hpp"
#include "trace/replay_script.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <functional>
#include <memory>
#include <string>

namespace trace {

struct ReplayOptions {
  bool paced = false;                         // wait the recorded time before each message QEMU sent
  std::size_t max_line = qmp::kDefaultMaxLineBytes;  // longest client line accepted
  std::vector<std::string> ignored_arguments;  // argument paths that may differ (ReplayScript)
};

struct ReplayResult {
  std::size_t commands_matched = 0;
  std::size_t commands_recorded = 0;
  bool finished = false;                // the whole recording was played
  std::vector<Divergence> divergences;  // empty: the client did what the recorded one did
  std::string report;                   // ReplayScript::report()
};

class ReplayServer {
 public:
  using Handler = std::function<void(qmp::error_code, ReplayResult)>;

  ReplayServer(boost::asio::any_io_executor ex, qmp::Transcript transcript, ReplayOptions options = {});
  ~ReplayServer();
  ReplayServer(const ReplayServer&) = delete;
  ReplayServer& operator=(const ReplayServer&) = delete;

  // Creates the socket and listens. A stale socket file at `path` (nobody listens) is replaced; a live socket, or
  // anything that is not a socket, is refused. False with ec/diag on failure.
  bool listen(const std::string& path, qmp::error_code& ec, qmp::Diagnostics& diag);
  // Accepts one client and serves it; `done` runs on the executor once the client is gone (ec set only when the
  // accept or a write failed, or the client sent a line longer than max_line).
  void async_serve_one(Handler done);
  // Stops listening, removes the socket file (if it is still the one created here) and drops the client; a
  // pending serve completes with operation_aborted.
  void close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace trace
