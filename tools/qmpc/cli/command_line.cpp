#include "cli/command_line.hpp"

#include "cli/global_options.hpp"
#include "cli/subcommands.hpp"
#include "cli/usage_hint.hpp"

#include <CLI/CLI.hpp>

#include <sstream>

#ifndef QMPC_VERSION
#define QMPC_VERSION "0.0.0"
#endif

namespace qmpc::cli {

const char* to_string(Command c) noexcept {
  switch (c) {
    case Command::exec: return "exec";
    case Command::run: return "run";
    case Command::hmp: return "hmp";
    case Command::events: return "events";
    case Command::mirror: return "mirror";
    case Command::commit: return "commit";
    case Command::stream: return "stream";
    case Command::backup: return "backup";
    case Command::job: return "job";
    case Command::launch: return "launch";
    case Command::demo: return "demo";
    case Command::trace: return "trace";
    case Command::proxy: return "proxy";
    case Command::shell: return "shell";
  }
  return "?";
}

const char* to_string(MirrorEnd e) noexcept {
  switch (e) {
    case MirrorEnd::wait: return "wait";
    case MirrorEnd::pivot: return "pivot";
    case MirrorEnd::finish: return "finish";
    case MirrorEnd::detach: return "detach";
  }
  return "?";
}

std::string version_text() { return "qmpc " QMPC_VERSION; }

namespace {

// Every subcommand, in the order of 'qmpc --help' (see cli/subcommands.hpp).
constexpr void (*kSubcommands[])(CLI::App&, CommandLine&) = {
    add_exec_command,   add_run_command,    add_hmp_command,    add_events_command, add_mirror_command,
    add_commit_command, add_stream_command, add_backup_command, add_job_command,    add_launch_command,
    add_proxy_command,  add_demo_command,   add_trace_command,  add_shell_command,
};

constexpr const char* kMainDescription =
    "qmpc: a QMP client for bare QEMU. Runs monitor commands and scripts of them, follows events, launches QEMU,\n"
    "and mirrors disks, pivoting only once the mirror job itself reports that it is ready.";

constexpr const char* kMainFooter = R"(
Monitor address (ADDR): a UNIX socket path, unix:PATH, or tcp:HOST:PORT; default $QMPC_SOCKET.
QEMU must offer a QMP monitor there, e.g. -qmp unix:/run/vm.qmp,server=on,wait=off.
Global options may come before or after the command name.

Exit codes (every command):
  0    done as asked
  1    a QMP command or the job failed (stderr: "qmpc: CLASS: DESC")
  2    usage error
  3    connection or protocol failure: cannot connect, connection lost, malformed data from the monitor,
       QEMU exited
  4    a deadline passed
  130  interrupted (SIGINT or SIGTERM)

Examples:
  qmpc -s /run/vm.qmp exec query-status
  qmpc -s /run/vm.qmp exec block-job-set-speed device=job0 speed=0
  qmpc -s /run/vm.qmp exec blockdev-add '{"driver":"null-co","node-name":"n0"}'
  qmpc -s /run/vm.qmp exec stop --wait-event STOP
  qmpc -s /run/vm.qmp run test.qmpc
  qmpc -s /run/vm.qmp hmp info block
  qmpc -s /run/vm.qmp events --name BLOCK_JOB_READY --count 1
  qmpc -s /run/vm.qmp mirror --device drive0 --target /var/lib/new.qcow2 --format qcow2 --pivot
  qmpc launch -- -drive if=none,id=disk0,file=disk.qcow2
  qmpc demo

Run 'qmpc COMMAND --help' for the options of one command; see also qmpc(1).)";

// The deepest command that was parsed (the app itself when none).
const CLI::App* active_command(const CLI::App& app) {
  const CLI::App* cur = &app;
  while (true) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) return cur;
    cur = subs.front();
  }
}

std::string command_path(const CLI::App* cmd) {
  std::string path;
  for (const CLI::App* c = cmd; c != nullptr; c = c->get_parent())
    path = c->get_parent() ? " " + c->get_name() + path : "qmpc" + path;
  return path;
}

std::vector<std::string> option_names(const CLI::App* cmd) {
  std::vector<std::string> names;
  for (const CLI::App* c = cmd; c != nullptr; c = c->get_parent()) {
    for (const CLI::Option* o : c->get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
  }
  return names;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(c->get_name());
  return names;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : ", ") + w;
  return text;
}

// The words CLI11 did not expect, from its ExtrasError text ("...not expected: a b").
std::vector<std::string> extras_from(const std::string& what) {
  std::vector<std::string> words;
  const auto colon = what.find(": ");
  if (colon == std::string::npos) return words;
  std::istringstream in(what.substr(colon + 2));
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Of the words CLI11 did not expect (which it lists in no particular order), the one that comes first on the
// command line: "--listen x" is an unknown option, not an unexpected 'x'.
std::string first_in_order(const std::vector<std::string>& extras, const std::vector<std::string>& args) {
  for (const auto& a : args) {
    for (const auto& e : extras) {
      if (a == e || (e.size() > 2 && e[0] == '-' && a.rfind(e, 0) == 0)) return e;
    }
  }
  return extras.empty() ? std::string() : extras.front();
}

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// The index of the first word that is neither an option nor the value of a global option: where a command name
// belongs (args.size() when there is none).
std::size_t first_word_index(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") return args.size();
    if (is_global_option_with_value(args[i])) {
      ++i;
      continue;
    }
    if (!args[i].empty() && args[i][0] != '-') return i;
  }
  return args.size();
}

std::string first_word(const std::vector<std::string>& args) {
  const auto i = first_word_index(args);
  return i < args.size() ? args[i] : std::string();
}

// A command made of subcommands: qmpc itself (commands) or `trace` (actions).
bool is_group(const CLI::App& cmd) { return !cmd.get_subcommands([](const CLI::App*) { return true; }).empty(); }

const char* member_noun(const CLI::App& group) { return group.get_parent() ? "action" : "command"; }

std::string unknown_member(const CLI::App& group, const std::string& word) {
  std::string message = std::string("unknown ") + member_noun(group) + " '" + word + "'";
  const auto guess = closest_match(word, command_names(group));
  if (!guess.empty()) message += " (did you mean '" + guess + "'?)";
  return message;
}

// The first word after the group's own name that is not an option: where its subcommand belongs ("" if none).
std::string word_after_group(const CLI::App& group, const std::vector<std::string>& args) {
  std::size_t i = first_word_index(args);
  if (i >= args.size() || args[i] != group.get_name()) return {};
  for (++i; i < args.size(); ++i) {
    if (args[i] == "--") return {};
    if (!args[i].empty() && args[i][0] != '-') return args[i];
  }
  return {};
}

// One line: "qmpc exec: unknown option --sokcet (did you mean --socket?); see 'qmpc exec --help'".
std::string usage_line(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  const CLI::App* cmd = active_command(app);
  std::string message;
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const std::string first = first_in_order(extras_from(what), args);
    if (!first.empty() && first[0] == '-') {
      std::string name = first.substr(0, first.find('='));
      message = "unknown option " + name;
      const auto guess = closest_match(name, option_names(cmd));
      if (!guess.empty()) message += " (did you mean " + guess + "?)";
    } else if (is_group(*cmd)) {
      message = unknown_member(*cmd, first);
    } else {
      message = "unexpected argument '" + first + "'";
    }
  } else if (cmd == &app && !first_word(args).empty()) {
    message = unknown_member(app, first_word(args));
  } else if (cmd != &app && is_group(*cmd) && !word_after_group(*cmd, args).empty()) {
    message = unknown_member(*cmd, word_after_group(*cmd, args));
  } else if (is_group(*cmd) && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    const char* noun = member_noun(*cmd);
    message = std::string(noun[0] == 'a' ? "an " : "a ") + noun + " is required (" +
              joined(command_names(*cmd)) + ")";
  } else {
    message = lower_first(what);
    // CLI11's "--count: 1 required N missing" in plain words.
    const auto req = message.find(": 1 required ");
    if (req != std::string::npos && message.size() > 8 && message.compare(message.size() - 8, 8, " missing") == 0)
      message = message.substr(0, req) + " needs a value (" +
                message.substr(req + 13, message.size() - 8 - (req + 13)) + ")";
  }
  return command_path(cmd) + ": " + message + "; see '" + command_path(cmd) + " --help'";
}

}  // namespace

ParseOutcome parse_command_line(const std::vector<std::string>& args, const char* socket_env) {
  CommandLine line;
  CLI::App app(kMainDescription, "qmpc");
  app.fallthrough();  // the subcommands take the global options too
  app.require_subcommand(1);
  app.footer(kMainFooter);
  app.get_formatter()->column_width(34);
  add_global_options(app, line.global);
  // Before the subcommands' callbacks, which check the monitor address.
  app.parse_complete_callback([&] {
    line.global.socket_given = app.count("--socket") > 0;
    if (!line.global.socket_given && socket_env) line.global.socket = socket_env;
  });
  for (const auto add : kSubcommands) add(app, line);

  std::vector<std::string> argv(args.rbegin(), args.rend());  // CLI11 takes them reversed
  ParseOutcome outcome;
  try {
    app.parse(argv);
  } catch (const CLI::CallForHelp&) {
    outcome.out = app.help();
    if (active_command(app) != &app) outcome.out += global_options_help();
    return outcome;
  } catch (const CLI::CallForAllHelp&) {
    outcome.out = app.help("", CLI::AppFormatMode::All);
    return outcome;
  } catch (const CLI::CallForVersion& e) {
    outcome.out = std::string(e.what()) + "\n";
    return outcome;
  } catch (const CLI::ParseError& e) {
    outcome.exit_code = 2;
    outcome.err = usage_line(app, e, args) + "\n";
    return outcome;
  } catch (const UsageError& e) {
    const std::string path = command_path(active_command(app));
    outcome.exit_code = 2;
    outcome.err = path + ": " + e.what() + "; see '" + path + " --help'\n";
    return outcome;
  }
  outcome.line = std::move(line);
  return outcome;
}

}  // namespace qmpc::cli
