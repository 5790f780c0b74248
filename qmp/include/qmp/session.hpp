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
// called on that executor (a single-threaded io_context, or a strand). Completion handlers are never invoked
// inline from the initiating function.
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
#include "qmp/message.hpp"
#include "qmp/traffic_observer.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmp {

namespace detail {
class SessionCore;
class SubscriptionState;
}  // namespace detail

using namespace std::chrono_literals;

struct SessionOptions {
  // Where the library logs. Null: nothing is logged (the global spdlog default is never used). At trace level,
  // one line per message: "qmp <direction> #<seq> t=<monotonic µs> <json>".
  std::shared_ptr<spdlog::logger> logger;
  std::size_t max_message_size = 10 * 1024 * 1024;
  Clock::duration connect_timeout = 10s;    // retrying while the socket is missing or refused
  Clock::duration handshake_timeout = 10s;  // greeting and qmp_capabilities
  Clock::duration command_timeout = 30s;    // default deadline of each command
  bool enable_oob = false;                  // negotiate "oob" when the server offers it
  std::shared_ptr<TrafficObserver> observer;
};

struct CommandOptions {
  std::optional<Clock::duration> timeout;  // default: SessionOptions::command_timeout
  bool oob = false;                        // send with "exec-oob" (requires negotiated oob)
  std::vector<int> fds;                    // passed with SCM_RIGHTS along with the command (UNIX sockets only);
                                           // the caller keeps ownership and may close them once it completes
};

// The outcome of one command.
struct Reply {
  Message message;          // the reply or error message as received (invalid when none arrived)
  Diagnostics diagnostics;  // QMP class/desc for command errors, qmpc's explanation for others
  // The "return" member (a null value when absent).
  const json::Value& value() const noexcept;
  // The sequence point at which the reply arrived (0 when none did).
  std::uint64_t seq() const noexcept { return message.valid() ? message.seq() : 0; }
};

using ExecuteSignature = void(error_code, Reply);
using WaitSignature = void(error_code);
using EventSignature = void(error_code, Message);

// A handle on one event subscription. Move-only; destroying it unsubscribes.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) noexcept;
  ~Subscription();

  // Waits for the next event, at most `timeout`. Completes with errc::timeout when none came in time,
  // errc::subscription_closed (or subscription_overflow, or connection_lost) once the subscription ended and its
  // queue is empty. One wait at a time per subscription.
  template <typename Token>
  auto async_next(Clock::duration timeout, Token&& token) {
    return boost::asio::async_initiate<Token, EventSignature>(
        [this](boost::asio::any_completion_handler<EventSignature> h, Clock::duration t) {
          start_next(std::move(h), t);
        },
        token, timeout);
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
  void start_next(boost::asio::any_completion_handler<EventSignature> h, Clock::duration timeout);
  std::shared_ptr<detail::SubscriptionState> state_;
};

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
  template <typename Token>
  auto async_connect(std::string address, Token&& token) {
    return boost::asio::async_initiate<Token, WaitSignature>(
        [this](boost::asio::any_completion_handler<WaitSignature> h, std::string a) {
          start_connect(std::move(h), std::move(a));
        },
        token, std::move(address));
  }

  // Listens on a UNIX socket path (QEMU started with "-qmp unix:PATH" as a client), accepts one connection within
  // options().connect_timeout, then reads the greeting and negotiates.
  template <typename Token>
  auto async_accept(std::string unix_path, Token&& token) {
    return boost::asio::async_initiate<Token, WaitSignature>(
        [this](boost::asio::any_completion_handler<WaitSignature> h, std::string p) {
          start_accept(std::move(h), std::move(p));
        },
        token, std::move(unix_path));
  }

  // Takes ownership of a connected stream socket (e.g. one end of a socketpair whose other end QEMU has).
  // Follow with async_handshake().
  void adopt(int fd);

  // Reads the greeting and negotiates capabilities (within options().handshake_timeout).
  // With negotiate = false it only reads the greeting (leaving the monitor in capabilities mode).
  template <typename Token>
  auto async_handshake(Token&& token, bool negotiate = true) {
    return boost::asio::async_initiate<Token, WaitSignature>(
        [this](boost::asio::any_completion_handler<WaitSignature> h, bool n) { start_handshake(std::move(h), n); },
        token, negotiate);
  }

  // Runs one command. `arguments_json` is a JSON object text ("" for none). Completes with success and the reply,
  // or with: a QMP error code (errc::generic_error, command_not_found, ...; class and desc in diagnostics),
  // errc::timeout, errc::connection_lost, errc::session_closed, or asio's operation_aborted when the caller's
  // cancellation slot fired. A command that timed out or was cancelled after it was written is abandoned.
  template <typename Token>
  auto async_execute(std::string_view name, std::string_view arguments_json, Token&& token) {
    return async_execute(name, arguments_json, CommandOptions{}, std::forward<Token>(token));
  }
  template <typename Token>
  auto async_execute(std::string_view name, std::string_view arguments_json, CommandOptions options, Token&& token) {
    return boost::asio::async_initiate<Token, ExecuteSignature>(
        [this](boost::asio::any_completion_handler<ExecuteSignature> h, std::string n, std::string a,
               CommandOptions o) { start_execute(std::move(h), std::move(n), std::move(a), std::move(o)); },
        token, std::string(name), std::string(arguments_json), std::move(options));
  }

  // Opens an event subscription. Open it before the command whose events you want.
  Subscription subscribe(EventFilter filter = {}, SubscriptionOptions options = {});

  // Completes when the connection has ended (EOF, reset, or close()), or with errc::timeout after `timeout`.
  template <typename Token>
  auto async_wait_closed(Clock::duration timeout, Token&& token) {
    return boost::asio::async_initiate<Token, WaitSignature>(
        [this](boost::asio::any_completion_handler<WaitSignature> h, Clock::duration t) {
          start_wait_closed(std::move(h), t);
        },
        token, timeout);
  }

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
    std::uint64_t bytes_in = 0, bytes_out = 0;
  };
  Stats stats() const noexcept;

 private:
  void start_connect(boost::asio::any_completion_handler<WaitSignature> h, std::string address);
  void start_accept(boost::asio::any_completion_handler<WaitSignature> h, std::string path);
  void start_handshake(boost::asio::any_completion_handler<WaitSignature> h, bool negotiate);
  void start_execute(boost::asio::any_completion_handler<ExecuteSignature> h, std::string name, std::string args,
                     CommandOptions options);
  void start_wait_closed(boost::asio::any_completion_handler<WaitSignature> h, Clock::duration timeout);

  std::shared_ptr<detail::SessionCore> core_;
};

}  // namespace qmp
