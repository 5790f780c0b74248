// qmpc hmp COMMAND-LINE...
#include "cli/subcommands.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kHmpFooter = R"(
Runs an HMP (human monitor) command through QMP's human-monitor-command and prints its text as text, line by
line. The words are joined with spaces, so 'qmpc hmp info block' and qmpc hmp 'info block' are the same.
HMP reports errors as text too: when a line of it starts with "Error: " or "unknown command: ", the text goes
to stderr instead and the exit code is 1. (Some HMP commands print an error without either prefix; those
exit 0.)
Exit: 0 done; 1 HMP or QEMU reported an error; 2 usage; 3 connection failure; 4 no reply within --timeout.

Examples:
  qmpc hmp info block
  qmpc hmp 'info status')";

}  // namespace

void add_hmp_command(CLI::App& app, CommandLine& out) {
  HmpOptions& h = out.hmp;
  auto* c = app.add_subcommand("hmp", "Run an HMP command and print its text");
  c->footer(kHmpFooter);
  c->add_option("COMMAND-LINE", h.words, "The HMP command line, e.g. 'info block'")->type_name("WORD")->required();
  c->callback([&out] {
    out.command = Command::hmp;
    std::string line;
    for (const auto& w : out.hmp.words) line += (line.empty() ? "" : " ") + w;
    if (line.find_first_not_of(" \t") == std::string::npos) throw UsageError("the HMP command line is empty");
    out.hmp.command_line = std::move(line);
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
