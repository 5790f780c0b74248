// A QMP session over a UNIX or TCP stream socket.
//
//            caller (any number of coroutines / callbacks on the session's executor)
//              |  async_execute()                     subscribe() / Subscription::async_next()
//              v                                           ^
//   +-------------------+    +---------------+    +------------------+
//   |  writer (1 queue) |    | pending table |<---|  reader (1 loop)  |--> event dispatcher --> queues
//   +-------------------+    +---------------+    +------------------+
//              |  bytes                                    ^ bytes
//              v                                           |
//                           socket to QEMU's monitor
//
// One reader and one writer per session, both on the session's executor; no mutexes. All public functions must be
// called on that executor (a single-threaded io_context, or a strand).
//
// Asynchronous operations follow asio's conventions:
//   - each takes a completion token (callback, asio::use_awaitable, asio::use_future, asio::deferred, ...); the
//     default is the executor's default token, or asio::deferred where it has none (so `co_await
//     session.async_execute("stop", "")` works in an awaitable coroutine);
//   - the operation holds the session's shared state, not the Session object: a deferred operation may be
//     started after the Session was moved;
//   - the handler runs on its associated executor (default: the session's) with its associated allocator, and is
//     never invoked inline from the initiating function; the handlers completed by one read of the monitor run
//     at the end of that read, in wire order (inline in the reader's turn when they share its executor);
//   - per-operation cancellation (asio::bind_cancellation_slot, awaitable operators, cancel_after-style timers):
//       async_execute: a command still queued is withdrawn for any cancellation type (total, partial,
//         terminal): nothing is written. Once written, only partial or terminal cancellation abandons it (QEMU
//         runs it regardless; its late reply is read and dropped); a total cancellation of a written command is
//         ignored, as it cannot be honoured without side effects;
//       Subscription::async_next and async_wait_closed: any type; nothing is lost (a queued event stays queued);
//       async_connect, async_accept, async_handshake: terminal (the connection attempt is abandoned).
//     Every one completes with asio::error::operation_aborted when cancelled.
//   - timeouts are per operation, with qmp::no_timeout for none.
//
// Ordering guarantees:
//   - every message sent or received takes the next sequence number; a reply says where it arrived (seq());
//   - a Subscription opened before async_execute() sees every matching event the command causes, including
//     events QEMU sends before the command's reply;
//   - the reply to a command that timed out or was cancelled is read and dropped, never given to another caller.
#pragma once

#include "qmp/address.hpp"
#include "qmp/error.hpp"
#include "qmp/event_dispatcher.hpp"
#include "qmp/greeting.hpp"
#include "qmp/initiation.hpp"
#include "qmp/message.hpp"
#include "qmp/reply.hpp"
#include "qmp/traffic_observer.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace qmp {

namespace detail {
class SessionCore;
class SubscriptionState;
}  // namespace detail

// A timeout that never expires: the operation waits as long as it takes (or until cancelled).
inline constexpr Clock::duration no_timeout = Clock::duration::max();

// The default completion token of an executor's operations: its own default, or asio::deferred when it has none.
template <typename Executor>
using default_token_t = std::conditional_t<std::is_void_v<boost::asio::default_completion_token_t<Executor>>,
                                           boost::asio::deferred_t,
                                           boost::asio::default_completion_token_t<Executor>>;

struct SessionOptions {
  // Where the library logs. Null: nothing is logged (the global spdlog default is never used). At trace level,
  // one line per message: "qmp <direction> #<seq> t=<monotonic µs> <json>".
  std::shared_ptr<spdlog::logger> logger;
  std::size_t max_message_size = 10 * 1024 * 1024;
  // Each may be no_timeout.
  Clock::duration connect_timeout = std::chrono::seconds(10);    // retrying while the socket is missing or refused
  Clock::duration handshake_timeout = std::chrono::seconds(10);  // greeting and qmp_capabilities
  Clock::duration command_timeout = std::chrono::seconds(30);    // default deadline of each command
  bool enable_oob = false;                  // negotiate "oob" when the server offers it
  std::shared_ptr<TrafficObserver> observer;
};

struct CommandOptions {
  std::optional<Clock::duration> timeout;  // default: SessionOptions::command_timeout; no_timeout for none
  bool oob = false;                        // send with "exec-oob" (requires negotiated oob)
  std::vector<int> fds;                    // passed with SCM_RIGHTS along with the command (UNIX sockets only);
                                           // the caller keeps ownership and may close them once it completes
};


using ExecuteSignature = void(error_code, Reply);
using WaitSignature = void(error_code);
using EventSignature = void(error_code, Message);

namespace detail {

// The operation's work, and what its initiation object (qmp/initiation.hpp) needs. A default-constructed
// Subscription has no state: no executor, and its wait completes on the handler's own executor.
boost::asio::any_io_executor executor_of(const std::shared_ptr<SubscriptionState>& state) noexcept;
void start_next(const std::shared_ptr<SubscriptionState>& state, boost::asio::any_completion_handler<EventSignature> h,
                Clock::duration timeout);

using NextInitiation = Initiation<SubscriptionState, EventSignature, &start_next>;

}  // namespace detail

// A handle on one event subscription. Move-only; destroying it unsubscribes.
class Subscription {
 public:
  using executor_type = boost::asio::any_io_executor;

  Subscription() = default;
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) noexcept;
  ~Subscription();

  // The session's executor (a default-constructed handle has none: an empty executor).
  executor_type get_executor() const noexcept;

  // Waits for the next event, at most `timeout` (no_timeout: as long as it takes). Completes with errc::timeout
  // when none came in time, errc::subscription_closed (or subscription_overflow, or connection_lost) once the
  // subscription ended and its queue is empty. One wait at a time per subscription. A default-constructed handle
  // completes with errc::subscription_closed on the handler's associated executor.
  template <typename Token = default_token_t<executor_type>>
  auto async_next(Clock::duration timeout, Token&& token = Token()) {
    return boost::asio::async_initiate<Token, EventSignature>(detail::NextInitiation{state_}, token, timeout);
  }
  template <typename Token = default_token_t<executor_type>>
    requires(!std::is_convertible_v<Token, Clock::duration>)
  auto async_next(Token&& token = Token()) {
    return async_next(no_timeout, std::forward<Token>(token));
  }

  // The next queued event, if any, without waiting.
  std::optional<Message> try_next();

  bool valid() const noexcept { return state_ != nullptr; }
  std::size_t queued() const noexcept;
  std::uint64_t dropped() const noexcept;  // events lost to the overflow policy so far
  std::uint64_t last_gap() const noexcept;  // events dropped just before the last one returned
  void close();

 private:
  friend class Session;
  explicit Subscription(std::shared_ptr<detail::SubscriptionState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::SubscriptionState> state_;
};

namespace detail {

// The operations' work, and what their initiation objects (qmp/initiation.hpp) need.
boost::asio::any_io_executor executor_of(const std::shared_ptr<SessionCore>& core) noexcept;
void start_connect(const std::shared_ptr<SessionCore>& core, boost::asio::any_completion_handler<WaitSignature> h,
                   std::string address);
void start_accept(const std::shared_ptr<SessionCore>& core, boost::asio::any_completion_handler<WaitSignature> h,
                  std::string path);
void start_handshake(const std::shared_ptr<SessionCore>& core, boost::asio::any_completion_handler<WaitSignature> h,
                     bool negotiate);
void start_execute(const std::shared_ptr<SessionCore>& core, boost::asio::any_completion_handler<ExecuteSignature> h,
                   std::string name, std::string args, CommandOptions options);
void start_wait_closed(const std::shared_ptr<SessionCore>& core, boost::asio::any_completion_handler<WaitSignature> h,
                       Clock::duration timeout);

using ConnectInitiation = Initiation<SessionCore, WaitSignature, &start_connect>;
using AcceptInitiation = Initiation<SessionCore, WaitSignature, &start_accept>;
using HandshakeInitiation = Initiation<SessionCore, WaitSignature, &start_handshake>;
using ExecuteInitiation = Initiation<SessionCore, ExecuteSignature, &start_execute>;
using WaitClosedInitiation = Initiation<SessionCore, WaitSignature, &start_wait_closed>;

}  // namespace detail

class Session {
 public:
  using executor_type = boost::asio::any_io_executor;

  explicit Session(executor_type ex, SessionOptions options = {});
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();  // closes the connection; pending operations complete with errc::session_closed

  executor_type get_executor() const noexcept;
  const SessionOptions& options() const noexcept;

  // Connects to "PATH", "unix:PATH" or "tcp:HOST:PORT", retrying a missing socket or a refused connection until
  // options().connect_timeout, then reads the greeting and negotiates capabilities.
  template <typename Token = default_token_t<executor_type>>
  auto async_connect(std::string address, Token&& token = Token()) {
    return boost::asio::async_initiate<Token, WaitSignature>(detail::ConnectInitiation{core_}, token,
                                                             std::move(address));
  }

  // Listens on a UNIX socket path (QEMU started with "-qmp unix:PATH" as a client), accepts one connection within
  // options().connect_timeout, then reads the greeting and negotiates.
  template <typename Token = default_token_t<executor_type>>
  auto async_accept(std::string unix_path, Token&& token = Token()) {
    return boost::asio::async_initiate<Token, WaitSignature>(detail::AcceptInitiation{core_}, token,
                                                             std::move(unix_path));
  }

  // Takes ownership of a connected stream socket (e.g. one end of a socketpair whose other end QEMU has).
  // Follow with async_handshake().
  void adopt(int fd);

  // Reads the greeting and negotiates capabilities (within options().handshake_timeout).
  // With negotiate = false it only reads the greeting (leaving the monitor in capabilities mode).
  template <typename Token = default_token_t<executor_type>>
  auto async_handshake(Token&& token = Token(), bool negotiate = true) {
    return boost::asio::async_initiate<Token, WaitSignature>(detail::HandshakeInitiation{core_}, token, negotiate);
  }

  // Runs one command. `arguments_json` is a JSON object text ("" for none). Completes with success and the reply,
  // or with: a QMP error code (errc::generic_error, command_not_found, ...; class and desc in diagnostics),
  // errc::timeout, errc::connection_lost, errc::session_closed, or asio's operation_aborted when cancelled (see
  // the cancellation rules above). A command that timed out or was cancelled after it was written is abandoned.
  template <typename Token = default_token_t<executor_type>>
    requires(!std::is_same_v<std::decay_t<Token>, CommandOptions>)
  auto async_execute(std::string_view name, std::string_view arguments_json, Token&& token = Token()) {
    return async_execute(name, arguments_json, CommandOptions{}, std::forward<Token>(token));
  }
  template <typename Token = default_token_t<executor_type>>
  auto async_execute(std::string_view name, std::string_view arguments_json, CommandOptions options,
                     Token&& token = Token()) {
    return boost::asio::async_initiate<Token, ExecuteSignature>(detail::ExecuteInitiation{core_}, token,
                                                                std::string(name), std::string(arguments_json),
                                                                std::move(options));
  }

  // Opens an event subscription. Open it before the command whose events you want.
  Subscription subscribe(EventFilter filter = {}, SubscriptionOptions options = {});

  // Completes when the connection has ended (EOF, reset, or close()), or with errc::timeout after `timeout`
  // (no_timeout: as long as it takes).
  template <typename Token = default_token_t<executor_type>>
  auto async_wait_closed(Clock::duration timeout, Token&& token = Token()) {
    return boost::asio::async_initiate<Token, WaitSignature>(detail::WaitClosedInitiation{core_}, token, timeout);
  }

  // Cancels every outstanding command and close wait without closing the session: commands still queued are
  // withdrawn (never written), commands already written are abandoned (their replies are read and dropped); all
  // complete with asio::error::operation_aborted. Subscriptions are not touched (cancel their waits through their
  // own cancellation slots, or close them).
  void cancel();

  // Closes the connection. Pending commands and waits complete with errc::session_closed.
  void close();

  bool is_open() const noexcept;
  const Greeting& greeting() const noexcept;
  bool oob_enabled() const noexcept;
  bool is_unix() const noexcept;
  // The SHUTDOWN event, once one arrived.
  std::optional<Message> shutdown_event() const;
  // Why the session failed or ended (empty while it is healthy).
  error_code failure() const noexcept;
  const Diagnostics& failure_diagnostics() const noexcept;

  struct Stats {
    std::uint64_t messages_in = 0, messages_out = 0, events = 0, unknown_replies = 0, abandoned_replies = 0;
    // Events no subscriber wanted, dropped once their name was read (counted in `events` too; never parsed, so
    // never found malformed: see qmp/event_name_scan.hpp).
    std::uint64_t events_unparsed = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0;
  };
  Stats stats() const noexcept;

 private:
  std::shared_ptr<detail::SessionCore> core_;
};

}  // namespace qmp
