#include "detail/completion.hpp"
#include "detail/session_core.hpp"
#include "detail/subscription_state.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

namespace qmp {
namespace detail {

SubscriptionState::SubscriptionState(boost::asio::any_io_executor ex, EventFilter filter,
                                     SubscriptionOptions options)
    : EventQueue(std::move(filter), options), ex_(std::move(ex)), timer_(ex_) {}

std::optional<Message> SubscriptionState::try_pop() {
  if (empty()) return std::nullopt;
  return pop(&last_gap);
}

void SubscriptionState::wait(boost::asio::any_completion_handler<EventSignature> h, Clock::duration timeout) {
  if (waiter_) {
    post_completion(ex_, std::move(h), make_error_code(errc::invalid_argument), Message{});
    return;
  }
  if (!empty()) {
    Message m = pop(&last_gap);
    post_completion(ex_, std::move(h), error_code{}, std::move(m));
    return;
  }
  if (closed()) {
    post_completion(ex_, std::move(h), closed_reason(), Message{});
    return;
  }
  waiter_.emplace(std::move(h));
  const std::uint64_t gen = ++generation_;
  if (timeout != no_timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([w = weak_from_this(), gen](error_code ec) {
      auto self = w.lock();
      if (ec || !self || self->generation_ != gen || !self->waiter_) return;
      self->finish(make_error_code(errc::timeout), false);
    });
  }
  slot_ = boost::asio::get_associated_cancellation_slot(*waiter_);
  if (slot_.is_connected()) {
    slot_.assign([w = weak_from_this(), gen](boost::asio::cancellation_type) {
      auto self = w.lock();
      if (!self || self->generation_ != gen || !self->waiter_) return;
      self->finish(boost::asio::error::operation_aborted, true);
    });
  }
}

void SubscriptionState::finish(error_code ec, bool from_slot) {
  auto h = std::move(*waiter_);
  waiter_.reset();
  ++generation_;
  timer_.cancel();
  if (!from_slot && slot_.is_connected()) slot_.clear();
  slot_ = {};
  Message m;
  if (!ec && !empty()) m = pop(&last_gap);
  // Woken by the reader: the completion joins the read's batch; otherwise (deadline, cancellation, close) posted.
  if (auto c = core.lock()) {
    c->batch.complete(ex_, std::move(h), ec, std::move(m));
  } else {
    post_completion(ex_, std::move(h), ec, std::move(m));
  }
}

void SubscriptionState::on_push() {
  if (!waiter_) return;
  finish(empty() ? closed_reason() : error_code{}, false);
}

boost::asio::any_io_executor executor_of(const std::shared_ptr<SubscriptionState>& state) noexcept {
  return state ? state->executor() : boost::asio::any_io_executor{};
}

void start_next(const std::shared_ptr<SubscriptionState>& state, boost::asio::any_completion_handler<EventSignature> h,
                Clock::duration timeout) {
  if (!state) {
    // A default-constructed handle has no session executor: complete on the handler's own executor, never inline.
    boost::asio::post(boost::asio::system_executor(),
                      boost::asio::append(std::move(h), make_error_code(errc::subscription_closed), Message{}));
    return;
  }
  state->wait(std::move(h), timeout);
}

}  // namespace detail

Subscription::Subscription(Subscription&&) noexcept = default;

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::move(other.state_);
  }
  return *this;
}

Subscription::~Subscription() { close(); }

Subscription::executor_type Subscription::get_executor() const noexcept {
  return state_ ? state_->executor() : executor_type{};
}

std::optional<Message> Subscription::try_next() { return state_ ? state_->try_pop() : std::nullopt; }

std::size_t Subscription::queued() const noexcept { return state_ ? state_->size() : 0; }

std::uint64_t Subscription::dropped() const noexcept { return state_ ? state_->dropped() : 0; }

std::uint64_t Subscription::last_gap() const noexcept { return state_ ? state_->last_gap : 0; }

void Subscription::close() {
  if (!state_) return;
  if (auto core = state_->core.lock()) core->dispatcher.remove(state_.get());
  state_->close(make_error_code(errc::subscription_closed));
}

}  // namespace qmp
