// The asio side of one subscription: an EventQueue plus at most one waiting handler with its deadline.
#pragma once

#include "qmp/event_dispatcher.hpp"
#include "qmp/session.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>

namespace qmp::detail {

class SessionCore;

class SubscriptionState final : public EventQueue, public std::enable_shared_from_this<SubscriptionState> {
 public:
  SubscriptionState(boost::asio::any_io_executor ex, EventFilter filter, SubscriptionOptions options);

  void wait(boost::asio::any_completion_handler<EventSignature> h, Clock::duration timeout);
  std::optional<Message> try_pop();
  const boost::asio::any_io_executor& executor() const noexcept { return ex_; }

  std::weak_ptr<SessionCore> core;
  std::uint64_t last_gap = 0;

 protected:
  void on_push() override;

 private:
  void finish(error_code ec, bool from_slot);

  boost::asio::any_io_executor ex_;
  boost::asio::steady_timer timer_;
  std::optional<boost::asio::any_completion_handler<EventSignature>> waiter_;
  boost::asio::cancellation_slot slot_;
  std::uint64_t generation_ = 0;
};

}  // namespace qmp::detail
