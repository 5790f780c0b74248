#include "cli/global_options.hpp"

#include "cli/command_line.hpp"
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iterator>
#include <sstream>
#include <variant>
#include <vector>

namespace qmpc::cli {
namespace {

struct Version {};  // --version: CLI11's version flag, bound to nothing
struct HelpAll {};  // --help-all: CLI11's help-all flag (not listed under "Global options")

enum class Check { none, seconds, log_level };

struct GlobalOption {
  const char* names;        // for CLI11: "-s,--socket"
  const char* value;        // the value's name in help ("" for a flag)
  const char* summary;      // its line under "Global options" in each command's --help ("" for none)
  const char* description;  // its description in 'qmpc --help'
  std::variant<std::string GlobalOptions::*, double GlobalOptions::*, bool GlobalOptions::*, Version, HelpAll> field;
  Check check = Check::none;
};

constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error", "off"};

// In the order of 'qmpc --help'; under "Global options", the flags that only print something come last.
const GlobalOption kGlobalOptions[] = {
    {"--version", "", "print the version and exit", "Print the version and exit", Version{}},
    {"--help-all", "", "", "Print help for every command and exit", HelpAll{}},
    {"-s,--socket", "ADDR", "QMP monitor: PATH, unix:PATH or tcp:HOST:PORT (default: $QMPC_SOCKET)",
     "QMP monitor address: PATH, unix:PATH or tcp:HOST:PORT [env: QMPC_SOCKET]", &GlobalOptions::socket},
    {"--connect-timeout", "SEC", "keep retrying a missing or refused socket this long (default 10)",
     "Keep retrying a missing or refused socket this long, in seconds (and wait as long, at least 1 s, for QEMU's "
     "greeting)",
     &GlobalOptions::connect_timeout_s, Check::seconds},
    {"--timeout", "SEC", "deadline for each command's reply (default 30)",
     "Deadline for each command's reply, in seconds (mirror: see its --timeout)", &GlobalOptions::timeout_s,
     Check::seconds},
    {"--log-level", "LEVEL", "trace|debug|info|warn|error|off, to stderr (default warn)",
     "Log to stderr from this level: trace|debug|info|warn|error|off", &GlobalOptions::log_level, Check::log_level},
    {"--trace", "FILE", "write a transcript of the session to a new FILE (mode 0600)",
     "Write a transcript of the session to FILE, a new file of mode 0600, created once connected",
     &GlobalOptions::trace_file},
    {"--trace-overwrite", "", "let --trace replace an existing regular FILE",
     "Let --trace replace an existing regular FILE", &GlobalOptions::trace_overwrite},
};

bool only_prints(const GlobalOption& o) {
  return std::holds_alternative<Version>(o.field) || std::holds_alternative<HelpAll>(o.field);
}

std::vector<std::string> names_of(const GlobalOption& o) {
  std::vector<std::string> names;
  std::istringstream in(o.names);
  for (std::string n; std::getline(in, n, ',');) names.push_back(n);
  return names;
}

CLI::Validator check_of(Check c) {
  switch (c) {
    case Check::seconds: return seconds_check(false);
    case Check::log_level:
      return quiet(CLI::IsMember(std::vector<std::string>(std::begin(kLogLevels), std::end(kLogLevels))));
    case Check::none: break;
  }
  return CLI::Validator();
}

}  // namespace

void add_global_options(CLI::App& app, GlobalOptions& g) {
  for (const GlobalOption& o : kGlobalOptions) {
    std::visit(
        [&](auto field) {
          using Field = decltype(field);
          if constexpr (std::is_same_v<Field, Version>) {
            app.set_version_flag(o.names, version_text(), o.description);
          } else if constexpr (std::is_same_v<Field, HelpAll>) {
            app.set_help_all_flag(o.names, o.description);
          } else if constexpr (std::is_same_v<Field, bool GlobalOptions::*>) {
            app.add_flag(o.names, g.*field, o.description);
          } else {
            auto* opt = app.add_option(o.names, g.*field, o.description)->type_name(o.value)->capture_default_str();
            if (o.check != Check::none) opt->check(check_of(o.check));
          }
        },
        o.field);
  }
}

std::string global_options_help() {
  std::string text = "\nGlobal options (before or after the command name):\n";
  for (const bool printing : {false, true}) {
    for (const GlobalOption& o : kGlobalOptions) {
      if (*o.summary == '\0' || only_prints(o) != printing) continue;
      std::string label;
      for (const auto& n : names_of(o)) label += (label.empty() ? "" : ", ") + n;
      if (*o.value != '\0') label += std::string(" ") + o.value;
      label.resize(std::max<std::size_t>(label.size() + 1, 27), ' ');
      text += "  " + label + o.summary + "\n";
    }
  }
  return text +
         "Exit codes: 0 done, 1 failed, 2 usage, 3 connection/protocol, 4 deadline, 130 interrupted (see 'qmpc "
         "--help').\n";
}

bool is_global_option_with_value(std::string_view word) {
  for (const GlobalOption& o : kGlobalOptions) {
    if (*o.value == '\0') continue;
    for (const auto& n : names_of(o))
      if (n == word) return true;
  }
  return false;
}

void require_monitor_address(const GlobalOptions& g) {
  if (g.socket.empty())
    throw UsageError("no monitor address: give -s/--socket ADDR (PATH, unix:PATH or tcp:HOST:PORT) or set QMPC_SOCKET");
}

}  // namespace qmpc::cli
