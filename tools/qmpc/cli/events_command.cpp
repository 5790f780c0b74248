// qmpc events [--name PATTERN]... [--no-case] [--match PATH=VALUE]... [--count N] [--for SEC] [--timestamp]
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kEventsFooter = R"(
Prints each event (the whole message, timestamp included) as one line of compact JSON on stdout, flushed per
line, in the order QEMU sent them. --name takes patterns ('*' any run of characters, '?' one: 'BLOCK_JOB_*',
quoted for the shell); --no-case compares names without regard to case. --match PATH=VALUE keeps only events
whose data has VALUE at PATH (dotted into "data"; VALUE is JSON when it is valid JSON, else a string).
--timestamp starts each line with QEMU's time in UTC (2026-12-02T04:38:22.773925Z) and a space.
Ends with exit 0 after --count events, after --for seconds (counted from the start, connecting included), or
when QEMU sends SHUTDOWN and closes the connection; exit 4 when --for ran out before --count events came;
exit 3 when the connection is lost otherwise; exit 130 on SIGINT or SIGTERM.

Examples:
  qmpc events --name JOB_STATUS_CHANGE --name BLOCK_JOB_READY
  qmpc events --name 'BLOCK_JOB_*' --match device=job0 --timestamp
  qmpc events --name BLOCK_JOB_COMPLETED --count 1 --for 600)";

}  // namespace

void add_events_command(CLI::App& app, CommandLine& out) {
  EventsOptions& e = out.events;
  auto* c = app.add_subcommand("events", "Print QEMU's events as JSON lines until a count, a time or shutdown");
  c->footer(kEventsFooter);
  c->add_option("--name", e.names, "Only events whose name matches this pattern (repeatable)")->type_name("PATTERN");
  c->add_flag("--no-case", e.no_case, "Compare names without regard to case");
  add_match_option(*c, e.match, "Only events whose data at PATH equals VALUE (repeatable)");
  c->add_option("--count", e.count, "Stop after N events")->type_name("N")->check(count_check());
  c->add_option("--for", e.for_s, "Stop after SEC seconds")->type_name("SEC")->check(seconds_check(false));
  c->add_flag("--timestamp", e.timestamp, "Start each line with QEMU's timestamp, readable");
  c->callback([&out] {
    out.command = Command::events;
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
