// The decisions of a QMP proxy that shares one QEMU monitor among several clients. No I/O: bytes from QEMU and
// from each client are fed in; bytes to write and what to do (write, close, resume reading) come out.
//
//   QEMU  <-- upstream bytes -->  ProxyRouter  <-- client bytes -->  client 1, client 2, ...
//
// - Upstream: the router reads QEMU's greeting and negotiates itself (oob when QEMU offers it); `open()` then.
// - Each client gets a greeting built from QEMU's (its version, the capabilities the proxy passes on) and negotiates
//   with the router, which answers qmp_capabilities itself, as QEMU would.
// - A client's command goes up with its "id" replaced by a number of the router's own (unique for the router's
//   life, the same for everyone, so it says nothing about the client); the reply comes back down with the client's
//   id text restored byte for byte, or with no id when the command had none. Everything else is forwarded as is.
// - Every event goes to every client that had negotiated when the event arrived, in QEMU's order.
// - A client's output queue is bounded (queued plus being written). A client past the bound is closed with the
//   reason; the others and QEMU never wait for it. Replies due to a closed client are dropped.
// - A client may have a bounded number of commands in flight; beyond that the router stops taking its lines
//   (`may_read()` false) until replies come back.
// - File descriptors a client passes (SCM_RIGHTS) go up with the command they came with, attached to its first
//   byte: those of one read belong to the last line that begins in that read (or, when none does, to the line
//   under way), so a client sends a command carrying descriptors in a message of its own, as QEMU expects. A
//   command with descriptors is not written while another one's reply is awaited (QEMU keeps only the last
//   descriptors it received, and reads ahead of the command it runs), and getfd or add-fd without any is answered
//   by the router with QEMU's error rather than let it take descriptors another client sent. Descriptors the
//   router does not pass on (the command refused locally, the client gone, QEMU gone) are closed.
// - With ProxyRouterOptions::upstream_traffic, every line on QEMU's side of the router is shown as it crosses,
//   tagged with its client, for a recording of QEMU's wire (`qmpc proxy --trace`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qmp/json.hpp"
#include "qmp/line_framer.hpp"
#include "qmp/traffic_observer.hpp"
#include "qmp/unique_fd.hpp"

namespace qmp {

struct ProxyRouterOptions {
  std::size_t max_line = 10 * 1024 * 1024 + 4096;  // longest line read from QEMU or a client
  std::size_t client_queue_bytes = 4 * 1024 * 1024;  // output queued for one client, in-flight write included
  std::size_t client_in_flight = 256;  // commands of one client sent to QEMU and not yet answered
  // When set, sees each line QEMU's side of the router carries, as QEMU sees it (the router's ids), without its
  // terminator, in wire order: a command when take_upstream_output() hands it out, a message from QEMU when it is
  // read. `client` is the client a command came from or a reply goes to (even one gone by then); none for the
  // greeting, events, the router's own qmp_capabilities and its answer, and what QEMU sent that no client is due.
  // What the router answers a client itself never reaches QEMU and is not shown.
  std::function<void(Direction direction, std::optional<std::uint64_t> client, std::string_view line)>
      upstream_traffic;
};

class ProxyRouter {
 public:
  using ClientId = std::uint64_t;

  struct Action {
    enum class Kind {
      write_upstream,  // take_upstream_output() has bytes
      write_client,    // take_client_output(client) has bytes
      close_client,    // the router dropped `client`; close its connection (`reason` says why, for the log)
      resume_client,   // `client` may be read again (may_read() turned true)
      open,            // negotiated with QEMU: clients may connect now
      close_all,       // QEMU is gone or broke the protocol (`reason`): flush, close every client, stop
      note,            // something worth a debug log line (`reason`)
    };
    Kind kind;
    ClientId client = 0;
    std::string reason;
  };

  // Bytes for QEMU and the descriptors to send with their first byte (none most of the time).
  struct UpstreamOutput {
    std::string bytes;
    std::vector<UniqueFd> fds;
    bool empty() const noexcept { return bytes.empty(); }
  };

  explicit ProxyRouter(ProxyRouterOptions opts = {});

  // --- upstream (QEMU) ---
  void upstream_bytes(std::string_view bytes);
  void upstream_closed(std::string_view why = "QEMU closed the connection");
  // The next bytes to write to QEMU; empty when there are none, or when the next command carries descriptors and
  // must wait for the reply to the previous such command (a write_upstream action says when it may go).
  UpstreamOutput take_upstream_output();
  bool open() const noexcept { return phase_ == Phase::open; }
  bool closed() const noexcept { return phase_ == Phase::closed; }
  // QEMU's version, "7.2.22" (empty before the greeting).
  const std::string& qemu_version() const noexcept { return qemu_version_; }

  // --- clients ---
  // A new client (only while open()); its greeting is queued at once.
  ClientId add_client();
  // What one read of the client's socket returned, with the descriptors that came with it.
  void client_bytes(ClientId client, std::string_view bytes, std::vector<UniqueFd> fds = {});
  // The client's connection ended (EOF or an error); its pending replies will be dropped.
  void client_closed(ClientId client);
  // Output for the client, now counted as being written until client_output_written().
  std::string take_client_output(ClientId client);
  void client_output_written(ClientId client);
  bool has_client(ClientId client) const noexcept { return clients_.count(client) != 0; }
  bool may_read(ClientId client) const noexcept;
  std::size_t client_count() const noexcept { return clients_.size(); }
  // Bytes queued for the client (being written included), 0 for an unknown client.
  std::size_t client_backlog(ClientId client) const noexcept;

  // What to do now, in the order it arose.
  std::vector<Action> take_actions();

  // Counters.
  std::size_t pending_commands() const noexcept { return pending_.size(); }
  std::uint64_t dropped_replies() const noexcept { return dropped_replies_; }
  std::uint64_t events_forwarded() const noexcept { return events_; }
  // Descriptors held: received from clients and not yet handed out with take_upstream_output() (or closed).
  std::size_t fds_held() const noexcept;
  // QEMU sent SHUTDOWN (so its closing the connection next is the expected end).
  bool shutdown_seen() const noexcept { return shutdown_seen_; }

 private:
  enum class Phase { greeting, negotiating, open, closed };
  struct FdBatch {
    std::size_t offset;  // the client's stream offset of the byte they came with (as attributed)
    std::vector<UniqueFd> fds;
  };
  struct Client {
    LineFramer framer;
    std::size_t fed = 0;           // bytes fed to the framer so far
    std::deque<FdBatch> fds;       // received, waiting for the end of their line
    std::string out;
    std::size_t writing = 0;   // bytes handed out by take_client_output() and not yet written
    std::size_t in_flight = 0;
    bool negotiated = false;
    bool oob = false;
    bool paused = false;       // stopped taking lines: too many in flight
    explicit Client(std::size_t max_line) : framer(max_line) {}
  };
  struct Pending {
    ClientId client;
    std::optional<std::string> id_text;  // the client's id exactly as it wrote it; nullopt: it sent none
  };

  void upstream_line(std::string_view line);
  void upstream_greeting(std::string_view line);
  void client_lines(ClientId id, Client& c);
  void client_line(ClientId id, Client& c, std::string_view line, std::vector<UniqueFd> fds);
  void client_capabilities(ClientId id, Client& c, std::string_view line, const std::optional<std::string>& id_text);
  void queue(ClientId id, Client& c, std::string_view line);
  void reply_error(ClientId id, Client& c, std::string_view cls, std::string_view desc,
                   const std::optional<std::string>& id_text);
  void drop_client(ClientId id, std::string reason);
  void fail(std::string reason);
  void push(Action::Kind kind, ClientId client = 0, std::string reason = {});
  void write_upstream(std::string bytes, std::optional<ClientId> client, std::vector<UniqueFd> fds = {},
                      std::uint64_t command = 0);
  void trace(Direction direction, std::optional<ClientId> client, std::string_view line) const {
    if (opts_.upstream_traffic) opts_.upstream_traffic(direction, client, line);
  }

  ProxyRouterOptions opts_;
  Phase phase_ = Phase::greeting;
  LineFramer upstream_framer_;
  struct UpstreamChunk {
    std::string bytes;
    std::vector<UniqueFd> fds;  // go with the chunk's first byte, the start of command `fd_command`
    std::uint64_t fd_command = 0;
    std::vector<std::optional<ClientId>> clients;  // with upstream_traffic: the client of each line, in order
  };
  std::deque<UpstreamChunk> upstream_out_;
  std::optional<std::uint64_t> fd_reply_awaited_;  // a command that took descriptors up, not answered yet
  std::string client_greeting_;
  std::string qemu_version_;
  bool upstream_oob_ = false;
  std::map<ClientId, Client> clients_;
  std::unordered_map<std::uint64_t, Pending> pending_;
  std::uint64_t next_upstream_id_ = 1;  // 0 is the router's own qmp_capabilities
  ClientId next_client_ = 1;
  std::uint64_t dropped_replies_ = 0;
  std::uint64_t events_ = 0;
  bool shutdown_seen_ = false;
  std::vector<Action> actions_;
};

}  // namespace qmp
