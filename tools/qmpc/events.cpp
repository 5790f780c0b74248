// qmpc events [--name NAME ...] [--count N] [--for SEC]: events as JSON lines, in wire order.
//
// Ends with 0 after N events, after SEC seconds, or when QEMU sent SHUTDOWN and then closed the connection;
// with 3 when the connection ends without a SHUTDOWN (QEMU crashed or was killed).
#include "commands.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace qmpc {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<int> run_events(const Runtime& rt) {
  const auto& opt = rt.line.events;
  qmp::Session session(co_await asio::this_coro::executor, rt.session_options());
  // Subscribed before connecting, so that no event between negotiation and the first wait is missed. Printing
  // keeps up with QEMU; should it not, the subscription fails rather than silently skipping events.
  qmp::EventFilter filter;
  filter.names = opt.names;
  auto events = session.subscribe(std::move(filter), {.capacity = 1u << 16, .policy = qmp::OverflowPolicy::fail});
  if (int rc = co_await connect_session(session, rt)) co_return rc;

  const auto deadline = opt.for_s ? qmp::Clock::now() + std::chrono::duration_cast<qmp::Clock::duration>(
                                                             std::chrono::duration<double>(*opt.for_s))
                                  : qmp::Clock::time_point::max();
  std::uint64_t printed = 0;
  while (!opt.count || printed < *opt.count) {
    const auto now = qmp::Clock::now();
    if (now >= deadline) co_return 0;
    const auto wait = deadline == qmp::Clock::time_point::max() ? qmp::no_timeout : deadline - now;
    auto [ec, event] = co_await events.async_next(wait, asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      print_json_line(event.text());
      ++printed;
      continue;
    }
    if (ec == qmp::errc::timeout) continue;
    if (session.shutdown_event() && ec != qmp::errc::subscription_overflow) {
      // SHUTDOWN then the end of the connection: QEMU quit as asked. (Queued events were all delivered first.)
      co_return 0;
    }
    const auto why = session.failure() ? session.failure() : ec;
    auto diag = session.failure() ? session.failure_diagnostics() : qmp::Diagnostics{};
    co_return report_error(why, diag, "waiting for events");
  }
  co_return 0;
}

}  // namespace qmpc
