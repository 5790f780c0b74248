#include "qmp/session.hpp"

#include "detail/completion.hpp"
#include "detail/session_core.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>

namespace qmp {

namespace asio = boost::asio;

namespace {

// Runs a connect/handshake coroutine and completes `h` with its result. The handler's cancellation slot (if
// any) cancels the coroutine.
void spawn_wait(const std::shared_ptr<detail::SessionCore>& core, asio::awaitable<error_code> work,
                asio::any_completion_handler<WaitSignature> h) {
  auto slot = asio::get_associated_cancellation_slot(h);
  asio::co_spawn(core->ex, std::move(work),
                 asio::bind_cancellation_slot(slot, [core, h = std::move(h)](std::exception_ptr e, error_code ec) mutable {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       ec = core->set_failure(errc::connect_failed, std::string("connecting failed: ") + ex.what());
                     }
                   }
                   detail::post_completion(core->ex, std::move(h), ec);
                 }));
}

}  // namespace

Session::Session(executor_type ex, SessionOptions options)
    : core_(std::make_shared<detail::SessionCore>(std::move(ex), std::move(options))) {}

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    close();
    core_ = std::move(other.core_);
  }
  return *this;
}

Session::~Session() { close(); }

Session::executor_type Session::get_executor() const noexcept { return core_->ex; }
const SessionOptions& Session::options() const noexcept { return core_->opts; }

namespace detail {

asio::any_io_executor executor_of(const std::shared_ptr<SessionCore>& core) noexcept { return core->ex; }

void start_connect(const std::shared_ptr<SessionCore>& core, asio::any_completion_handler<WaitSignature> h,
                   std::string address) {
  spawn_wait(core, core->connect(std::move(address)), std::move(h));
}

void start_accept(const std::shared_ptr<SessionCore>& core, asio::any_completion_handler<WaitSignature> h,
                  std::string path) {
  spawn_wait(core, core->accept(std::move(path)), std::move(h));
}

void start_handshake(const std::shared_ptr<SessionCore>& core, asio::any_completion_handler<WaitSignature> h,
                     bool negotiate) {
  spawn_wait(core, core->handshake(negotiate), std::move(h));
}

void start_execute(const std::shared_ptr<SessionCore>& core, asio::any_completion_handler<ExecuteSignature> h,
                   std::string name, std::string args, CommandOptions options) {
  core->execute(std::move(h), std::move(name), std::move(args), std::move(options));
}

void start_wait_closed(const std::shared_ptr<SessionCore>& core, asio::any_completion_handler<WaitSignature> h,
                       Clock::duration timeout) {
  core->wait_closed(std::move(h), timeout);
}

}  // namespace detail

void Session::adopt(int fd) { core_->adopt(fd); }

Subscription Session::subscribe(EventFilter filter, SubscriptionOptions options) {
  auto state = std::make_shared<detail::SubscriptionState>(core_->ex, std::move(filter), options);
  state->core = core_;
  if (core_->phase == detail::SessionCore::Phase::closed) {
    state->close(core_->failure ? core_->failure : make_error_code(errc::session_closed));
  } else {
    core_->dispatcher.add(state);
  }
  return Subscription(std::move(state));
}

void Session::cancel() {
  if (core_) core_->cancel_all();
}

void Session::close() {
  if (core_) core_->fail(errc::session_closed, "session closed by its owner");
}

bool Session::is_open() const noexcept {
  return core_ && core_->phase != detail::SessionCore::Phase::closed && core_->socket.has_value();
}
const Greeting& Session::greeting() const noexcept { return core_->greeting; }
bool Session::oob_enabled() const noexcept { return core_->oob; }
bool Session::is_unix() const noexcept { return core_->unix_socket; }
std::optional<Message> Session::shutdown_event() const { return core_->shutdown; }
error_code Session::failure() const noexcept { return core_->failure; }
const Diagnostics& Session::failure_diagnostics() const noexcept { return core_->failure_diag; }
Session::Stats Session::stats() const noexcept { return core_->stats; }

}  // namespace qmp
