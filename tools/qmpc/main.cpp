// qmpc: the command line. Parses (cli/), then runs one command (exec.cpp, events.cpp, ...).
// Exceptions stop here: anything thrown below is reported as an internal error (exit 1).
#include "cli/command_line.hpp"
#include "cli/error_line.hpp"
#include "block_jobs.hpp"
#include "commands.hpp"

#include "qmp/printable.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace {

int run(const qmpc::cli::CommandLine& line) {
  using qmpc::cli::Command;
  qmpc::Runtime rt{line, qmpc::make_stderr_logger(line.global.log_level), nullptr};
  if (!line.global.trace_file.empty()) {
    qmp::error_code ec;
    qmp::Diagnostics diag;
    qmp::TranscriptHeader header;
    header.origin = line.global.socket;
    const auto existing = line.global.trace_overwrite ? qmp::ExistingFile::replace : qmp::ExistingFile::refuse;
    rt.transcript = qmp::TranscriptWriter::create(line.global.trace_file, ec, diag, header, existing);
    if (!rt.transcript)
      return qmpc::report_error(
          ec, diag, "--trace", "give --trace a new FILE, or add --trace-overwrite to replace an existing regular file");
  }
  boost::asio::io_context ioc;
  int rc = 1;
  switch (line.command) {
    case Command::exec: rc = qmpc::run_task(ioc, [&] { return qmpc::run_exec(rt); }, true); break;
    case Command::run: rc = qmpc::run_task(ioc, [&] { return qmpc::run_script(rt); }, true); break;
    case Command::hmp: rc = qmpc::run_task(ioc, [&] { return qmpc::run_hmp(rt); }, true); break;
    case Command::events: rc = qmpc::run_task(ioc, [&] { return qmpc::run_events(rt); }, true); break;
    case Command::proxy: rc = qmpc::run_task(ioc, [&] { return qmpc::run_proxy(rt); }, true); break;
    case Command::mirror: rc = qmpc::run_task(ioc, [&] { return qmpc::run_mirror(rt); }, false); break;
    case Command::commit: rc = qmpc::run_task(ioc, [&] { return qmpc::run_commit(rt, line.commit); }, false); break;
    case Command::stream: rc = qmpc::run_task(ioc, [&] { return qmpc::run_stream(rt, line.stream); }, false); break;
    case Command::backup: rc = qmpc::run_task(ioc, [&] { return qmpc::run_backup(rt, line.backup); }, false); break;
    case Command::job: rc = qmpc::run_task(ioc, [&] { return qmpc::run_job(rt, line.job); }, true); break;
    case Command::demo: rc = qmpc::run_task(ioc, [&] { return qmpc::run_demo(rt); }, true); break;
    case Command::trace: rc = qmpc::run_trace(ioc, rt); break;
    case Command::shell: rc = qmpc::run_task(ioc, [&] { return qmpc::run_shell(rt); }, false); break;
    case Command::launch: rc = qmpc::run_task(ioc, [&] { return qmpc::run_launch(rt); }, false); break;
  }
  if (rt.transcript) {
    if (auto ec = rt.transcript->close()) {
      std::fprintf(stderr, "qmpc: writing the transcript %s failed: %s\n",
                   qmp::printable(line.global.trace_file).c_str(), qmp::printable(rt.transcript->error_text()).c_str());
      if (rc == 0) rc = 1;
    }
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = qmpc::cli::parse_command_line(args, std::getenv("QMPC_SOCKET"));
  if (!parsed.line) {
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    return parsed.exit_code;
  }
  try {
    return run(*parsed.line);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qmpc: internal error: %s\n", qmp::printable(e.what()).c_str());
    return 1;
  }
}
