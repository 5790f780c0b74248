// qmpc events [--name PATTERN ...] [--no-case] [--match PATH=VALUE ...] [--count N] [--for SEC] [--timestamp]:
// events as JSON lines, in wire order.
//
// Ends with 0 after N events, after SEC seconds (4 when --count was given and not reached), or when QEMU sent
// SHUTDOWN and then closed the connection; with 3 when the connection ends without a SHUTDOWN (QEMU crashed or was
// killed); with 130, silently, on SIGINT or SIGTERM.
#include "commands.hpp"

#include "cli/event_time.hpp"

#include "qmp/event_match.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sstream>

namespace qmpc {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<int> run_events(const Runtime& rt) {
  const auto& opt = rt.line.events;
  qmp::Session session(co_await asio::this_coro::executor, rt.session_options());
  // Subscribed before connecting, so that no event between negotiation and the first wait is missed. Printing
  // keeps up with QEMU; should it not, the subscription fails rather than silently skipping events.
  const qmp::EventMatch match(opt.names, opt.match, opt.no_case);
  auto events = session.subscribe(match.filter(), {.capacity = 1u << 16, .policy = qmp::OverflowPolicy::fail});
  // --for counts from the start, connecting included.
  const auto deadline = opt.for_s ? qmp::Clock::now() + seconds(*opt.for_s) : qmp::Clock::time_point::max();
  if (int rc = co_await connect_session(session, rt)) co_return rc;

  std::uint64_t printed = 0;
  while (!opt.count || printed < *opt.count) {
    const auto now = qmp::Clock::now();
    if (now >= deadline) break;
    const auto wait = deadline == qmp::Clock::time_point::max() ? qmp::no_timeout : deadline - now;
    auto [ec, event] = co_await events.async_next(wait, asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      if (opt.timestamp)
        print_json_line(cli::readable_timestamp(event.timestamp_us()) + " " + event.text());
      else
        print_json_line(event.text());
      ++printed;
      continue;
    }
    if (ec == qmp::errc::timeout) continue;
    if (qmp::kind_of(ec) == qmp::error_kind::cancelled) co_return cli::to_int(cli::ExitCode::interrupted);
    if (session.shutdown_event() && ec != qmp::errc::subscription_overflow) {
      // SHUTDOWN then the end of the connection: QEMU quit as asked. (Queued events were all delivered first.)
      co_return 0;
    }
    const auto why = session.failure() ? session.failure() : ec;
    auto diag = session.failure() ? session.failure_diagnostics() : qmp::Diagnostics{};
    co_return report_error(why, diag, "waiting for events");
  }
  if (opt.count && printed < *opt.count) {
    std::ostringstream s;
    s << printed << " of " << *opt.count << " " << match.describe() << " events within " << *opt.for_s << " s";
    qmp::Diagnostics diag;
    diag.what = s.str();
    co_return report_error(qmp::make_error_code(qmp::errc::timeout), diag, "--count",
                           "give it more time (--for SEC), or check that the events are caused");
  }
  co_return 0;
}

}  // namespace qmpc
