// qmpc job list|info|wait|complete|cancel|pause|resume|speed|finalize|dismiss [ID] [...]
#include "cli/subcommands.hpp"
#include "cli/size_value.hpp"
#include "cli/validators.hpp"

#include <vector>

namespace qmpc::cli {
namespace {

constexpr const char* kJobFooter = R"(
QEMU's jobs, whoever started them (job-* commands, or block-job-* on a QEMU before 2.12):
  list                 one JSON line per job (query-jobs; query-block-jobs where QEMU lacks it)
  info ID              one JSON object: the job's query-jobs and query-block-jobs members
  wait ID [--until ready|concluded|gone] [--timeout SEC]
                       wait until the job is ready (its own word: status ready or standby), concluded, or gone
                       (default; a job QEMU no longer lists is gone); prints {"id":ID,"status":S}. Exit 1 when it
                       ended before ready, 4 on --timeout.
  complete ID          complete (pivot) the job: refused, exit 1, unless QEMU says it is ready, with QEMU's
                       status in the message, as every pivot of qmpc
  cancel ID [--force]  block-job-cancel: after ready a plain cancel is a soft one (a mirror's source stays in use),
                       --force aborts
  pause ID, resume ID, finalize ID, dismiss ID
  speed ID BYTES       block-job-set-speed (K, M, G suffixes; 0 for no limit)
Exit: 0 done; 1 QEMU refused, or the job does not exist; 2 usage; 3 connection; 4 --timeout passed.

Examples:
  qmpc job list
  qmpc job wait qmpc-mirror-4242 --until ready && qmpc job complete qmpc-mirror-4242)";

}  // namespace

void add_job_command(CLI::App& app, CommandLine& out) {
  JobCommandOptions& m = out.job;
  auto* c = app.add_subcommand("job", "List QEMU's jobs, wait for one, complete, cancel, pause, resume, throttle it");
  c->footer(kJobFooter);
  static std::vector<std::string> words;
  words.clear();
  c->add_option("ACTION", m.action, "list|info|wait|complete|cancel|pause|resume|speed|finalize|dismiss")
      ->required()
      ->check(quiet(CLI::IsMember(std::vector<std::string>{"list", "info", "wait", "complete", "cancel", "pause",
                                                             "resume", "speed", "finalize", "dismiss"})));
  c->add_option("ARGS", words, "The job id (and, for speed, the bytes per second)");
  c->add_option("--until", m.until, "wait: ready|concluded|gone")
      ->type_name("STATE")
      ->check(quiet(CLI::IsMember(std::vector<std::string>{"ready", "concluded", "gone"})))
      ->capture_default_str();
  c->add_option("--timeout", m.wait_timeout_s, "wait: give up after SEC seconds (exit 4)")
      ->type_name("SEC")
      ->check(seconds_check(true));
  c->add_flag("--force", m.force, "cancel: abort even a ready job");
  c->callback([&out, &m] {
    out.command = Command::job;
    const std::size_t want = m.action == "list" ? 0 : m.action == "speed" ? 2 : 1;
    if (words.size() != want)
      throw UsageError("'job " + m.action + "' takes " +
                       (want == 0 ? std::string("no argument") : want == 1 ? "a job ID" : "a job ID and BYTES"));
    if (want >= 1) m.id = words[0];
    if (want == 2) {
      std::string why;
      auto v = parse_size(words[1], &why);
      if (!v) throw UsageError("BYTES: " + why);
      m.speed = *v;
    }
    require_monitor_address(out.global);
  });
}

}  // namespace qmpc::cli
