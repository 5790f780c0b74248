// The state behind a qmp::Session: socket, framer, pending table, dispatcher, one reader and one writer.
#pragma once

#include "detail/completion_batch.hpp"
#include "detail/deadline_after.hpp"
#include "detail/subscription_state.hpp"
#include "qmp/line_framer.hpp"
#include "qmp/pending_table.hpp"
#include "qmp/session.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qmp::detail {

struct CommandOp {
  // Boost 1.81's any_completion_handler move assignment recurses: handlers are only ever move-constructed.
  CommandOp(const boost::asio::any_io_executor& ex, boost::asio::any_completion_handler<ExecuteSignature> h)
      : handler(std::move(h)), timer(ex) {}
  boost::asio::any_completion_handler<ExecuteSignature> handler;
  boost::asio::steady_timer timer;
  boost::asio::cancellation_slot slot;
  std::string name;
  Clock::duration timeout{};
};

struct Outgoing {
  std::string bytes;  // newline-terminated command
  std::vector<int> fds;
  std::uint64_t id = 0;
};

class SessionCore : public std::enable_shared_from_this<SessionCore> {
 public:
  using socket_type = boost::asio::generic::stream_protocol::socket;
  enum class Phase { idle, connecting, greeting, open, closed };

  SessionCore(boost::asio::any_io_executor ex, SessionOptions options);

  boost::asio::awaitable<error_code> connect(std::string address);
  boost::asio::awaitable<error_code> accept(std::string path);
  boost::asio::awaitable<error_code> handshake(bool negotiate);
  void adopt(int fd);

  void execute(boost::asio::any_completion_handler<ExecuteSignature> h, std::string name, std::string args,
               CommandOptions options);
  void wait_closed(boost::asio::any_completion_handler<WaitSignature> h, Clock::duration timeout);
  // Session::cancel(): every pending command and close wait completes with operation_aborted; the session stays.
  void cancel_all();

  // Ends the session: every pending command and waiter completes with `code`.
  void fail(errc code, std::string desc);
  // Records a failure that happened before the session was open (connect/handshake).
  error_code set_failure(errc code, std::string desc);

  boost::asio::any_io_executor ex;
  SessionOptions opts;
  std::shared_ptr<spdlog::logger> log;
  Phase phase = Phase::idle;
  std::optional<socket_type> socket;
  bool unix_socket = true;
  std::string peer = "the monitor";
  Greeting greeting;
  bool greeted = false;
  bool oob = false;
  std::optional<Message> shutdown;
  error_code failure;
  Diagnostics failure_diag;
  Session::Stats stats;
  EventDispatcher dispatcher;
  // Open while the reader handles a read (detail/completion_batch.hpp).
  CompletionBatch batch;

 private:
  void start_reading();
  void on_read(error_code ec, std::size_t n);
  void read_lines(error_code ec, std::size_t n);
  void handle_line(std::string_view line, Clock::time_point received);
  void handle_reply(Message m);
  void write_next();
  void on_written(error_code ec);
  void give_up(std::uint64_t id, error_code ec, bool from_slot);
  void on_cancel(std::uint64_t id, boost::asio::cancellation_type type);
  void complete(const std::shared_ptr<CommandOp>& op, error_code ec, Reply reply, bool from_slot = false);
  void observe(Direction dir, std::uint64_t seq, Clock::time_point t, std::string_view text);

  LineFramer framer_;
  PendingTable<std::shared_ptr<CommandOp>> pending_;
  std::uint64_t seq_ = 0;
  Clock::time_point t0_;
  std::deque<Outgoing> write_queue_;
  bool writing_ = false;
  std::string write_buf_;
  // Each read goes straight into the framer's buffer, with room for this much.
  static constexpr std::size_t kReadSize = 64 * 1024;
  boost::asio::steady_timer greeting_cv_;  // woken (cancelled) when the greeting arrives or the session fails
  struct ClosedWaiter {
    boost::asio::any_completion_handler<WaitSignature> handler;
    std::shared_ptr<boost::asio::steady_timer> timer;
    boost::asio::cancellation_slot slot;
    std::uint64_t id = 0;
  };
  void finish_waiter(ClosedWaiter& w, error_code ec, bool from_slot = false);
  void drop_waiter(std::uint64_t id, error_code ec, bool from_slot);
  std::uint64_t next_waiter_id_ = 0;
  std::list<ClosedWaiter> closed_waiters_;
};

}  // namespace qmp::detail
