// qmpc events [--name NAME]... [--count N] [--for SEC]
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kEventsFooter = R"(
Prints each event (the whole message, timestamp included) as one line of compact JSON on stdout, flushed per
line, in the order QEMU sent them. Ends with exit 0 after --count events, after --for seconds, or when QEMU
sends SHUTDOWN and closes the connection; exit 3 when the connection is lost otherwise.

Examples:
  qmpc events --name JOB_STATUS_CHANGE --name BLOCK_JOB_READY
  qmpc events --name BLOCK_JOB_COMPLETED --count 1 --for 600)";

}  // namespace

void add_events_command(CLI::App& app, CommandLine& out) {
  EventsOptions& e = out.events;
  auto* c = app.add_subcommand("events", "Print QEMU's events as JSON lines until a count, a time or shutdown");
  c->footer(kEventsFooter);
  c->add_option("--name", e.names, "Only events with this name (repeatable)")->type_name("NAME");
  c->add_option("--count", e.count, "Stop after N events")->type_name("N")->check(count_check());
  c->add_option("--for", e.for_s, "Stop after SEC seconds")->type_name("SEC")->check(seconds_check(false));
  c->callback([&out] {
    out.command = Command::events;
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
