// qmpc demo [--size SIZE] [--keep DIR] [--qemu BIN]
#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

namespace qmpc::cli {
namespace {

constexpr const char* kDemoFooter = R"(
Creates a qcow2 disk filled with data patterns (qemu-img, qemu-io), launches a bare QEMU with it, mirrors it
to a new image with a progress bar, pivots once the job is ready, verifies the copy with 'qemu-img compare',
prints the job's timeline (ready after N ms, pivot sent N us after ready, completed after N ms) and removes
everything (or keeps the files in --keep DIR). Needs qemu-system-x86_64, qemu-img and qemu-io.
Exit: 0 only when the copy verified.)";

}  // namespace

void add_demo_command(CLI::App& app, CommandLine& out) {
  DemoOptions& d = out.demo;
  auto* c = app.add_subcommand("demo", "Mirror a scratch disk end to end: create, launch, mirror, pivot, verify");
  c->footer(kDemoFooter);
  c->add_option("--size", d.size, "Disk size (K, M, G suffixes)")
      ->type_name("SIZE")
      ->transform(size_transform())
      ->default_str("256M");
  c->add_option("--keep", d.keep_dir, "Keep the images and logs in DIR instead of removing them")->type_name("DIR");
  c->add_option("--qemu", d.qemu, "QEMU binary")->type_name("BIN")->capture_default_str();
  c->callback([&out] {
    out.command = Command::demo;
    if (out.demo.size == 0) throw UsageError("--size must be more than 0");
  });
}

}  // namespace qmpc::cli
