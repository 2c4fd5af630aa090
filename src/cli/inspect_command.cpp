// `shmlab inspect NAME [--json]`: prints a kept run's control block, region and trace rings.
// Anything that is not a shmlab region of this user (wrong magic, version, size, a symlink, another
// uid) is refused with exit 1 and the reason; a trace ring whose count or events cannot be believed
// is printed without its events, named on stderr, and exits 1; a malformed NAME is bad usage (2).
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "shmlab/control/control_snapshot.hpp"
#include "shmlab/report/region_report.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

struct InspectOptions {
  std::string name;
  bool json = false;
};

// "shmlab-1-ab", "/shmlab-1-ab" and "/dev/shm/shmlab-1-ab" all name the object "/shmlab-1-ab".
std::string object_name(std::string name) {
  for (std::string_view prefix : {"/dev/shm/", "/"}) {
    if (name.rfind(prefix, 0) == 0) {
      name.erase(0, prefix.size());
      break;
    }
  }
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    throw UsageError("inspect NAME: expected the name of a kept run, e.g. shmlab-1234-0a1b2c3d");
  }
  return "/" + name;
}

int execute(const InspectOptions& o) {
  const ControlSnapshot control = ControlSnapshot::read(object_name(o.name));
  const nlohmann::json report = region_report(control);
  if (o.json) {
    std::cout << report.dump(2) << std::endl;
  } else {
    std::cout << region_report_text(report) << std::flush;
  }
  // A corrupt ring is shown without its events (above) and makes the object a corrupt one: exit 1.
  const std::vector<std::string> problems = trace_problems(report);
  for (const std::string& p : problems)
    std::cerr << "inspect " << control.name() << ": " << p << '\n';
  return problems.empty() ? kExitOk : kExitEnvironment;
}

}  // namespace

Command add_inspect(CLI::App& app) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand(
      "inspect", "Print a kept run's region: header, values, workers, trace rings");
  sub->add_option("NAME", opts->name, "The run's name, as printed by 'run --keep'")->required();
  sub->add_flag("--json", opts->json, "Print it as JSON");
  sub->footer(
      "Examples:\n"
      "  shmlab run --keep -q                     prints: Kept the run's objects (--keep): shmlab "
      "inspect "
      "shmlab-...\n"
      "  shmlab inspect shmlab-1234-0a1b2c3d\n"
      "  shmlab inspect shmlab-1234-0a1b2c3d --json | jq .values\n"
      "  shmlab inspect shmlab-1234-0a1b2c3d --json | jq '.trace.workers[0].events'\n"
      "Exit codes: 0 printed, 1 not a shmlab region of yours (or gone, or a trace ring corrupt:\n"
      "the rest is printed, the ring's events are not), 2 bad usage.");
  return {sub, [opts] { return execute(*opts); }};
}

}  // namespace shmlab::cli
