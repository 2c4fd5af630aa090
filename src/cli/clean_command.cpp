// `shmlab clean [--all]`: removes the objects of runs whose coordinator is dead — control blocks,
// shm regions and named semaphores in /dev/shm, region files in $TMPDIR, throwaway PostgreSQL
// servers, the network namespaces and links of --hosts — of the caller's uid
// only. Kept runs (--keep) stay unless --all. Prints each object it removed.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "shmlab/hosts/stale_hosts.hpp"
#include "shmlab/pg/stale_servers.hpp"
#include "shmlab/run/stale_objects.hpp"

namespace shmlab::cli {
namespace {

struct CleanOptions {
  std::vector<std::string> runs;  // only these run ids; all stale runs when empty
  bool all = false;
  bool dry_run = false;
};

// Throwaway PostgreSQL servers of dead coordinators: stops each one still running and removes its
// private directory. Adds to `removed` and `failed`.
void clean_servers(const CleanOptions& o, std::size_t& removed, std::size_t& failed) {
  for (const pg::StaleServer& s : pg::find_stale_servers(temp_dir())) {
    if (!o.runs.empty() && std::find(o.runs.begin(), o.runs.end(), s.run_id) == o.runs.end())
      continue;
    const std::string why = o.dry_run ? std::string() : pg::remove_stale_server(s);
    if (!why.empty()) {
      ++failed;
      fmt::print(stderr, "shmlab clean: cannot remove {}: {}\n", s.dir, why);
      continue;
    }
    ++removed;
    const std::string server = s.running
                                   ? fmt::format("PostgreSQL server PID {}", s.state.postmaster)
                                   : std::string("PostgreSQL server, not running");
    fmt::print("{} {} ({}{}; run {}, coordinator PID {} is gone)\n",
               o.dry_run ? "would remove" : "removed", s.dir,
               s.running ? (o.dry_run ? "would stop " : "stopped ") : "", server, s.run_id,
               s.state.owner);
  }
}

// Simulated hosts (--hosts) of dead coordinators: their network namespaces and veth links.
void clean_hosts(const CleanOptions& o, std::size_t& removed, std::size_t& failed) {
  for (const hosts::StaleHost& h : hosts::find_stale_hosts()) {
    if (!o.runs.empty() && std::find(o.runs.begin(), o.runs.end(), h.run_id) == o.runs.end())
      continue;
    const std::string why = o.dry_run ? std::string() : hosts::remove_stale_host(h);
    if (!why.empty()) {
      ++failed;
      fmt::print(stderr, "shmlab clean: cannot remove network namespace {}: {}\n", h.netns, why);
      continue;
    }
    ++removed;
    fmt::print("{} network namespace {} and link {} (run {}, coordinator PID {} is gone)\n",
               o.dry_run ? "would remove" : "removed", h.netns, h.link, h.run_id, h.owner);
  }
}

int execute(CleanOptions o) {
  for (std::string& r : o.runs) {
    if (r.rfind("/dev/shm/", 0) == 0) r.erase(0, 9);
    if (r.rfind('/', 0) == 0) r.erase(0, 1);
  }
  std::size_t removed = 0;
  std::size_t kept = 0;
  std::size_t failed = 0;
  for (const StaleObject& s : find_stale_objects({"/dev/shm", temp_dir()})) {
    if (!o.runs.empty() && std::find(o.runs.begin(), o.runs.end(), s.run_id) == o.runs.end())
      continue;
    if (s.kept && !o.all) {
      ++kept;
      continue;
    }
    const std::string path = s.dir + "/" + s.name;
    const std::string why = o.dry_run ? std::string() : remove_stale_object(s);
    if (why.empty()) {
      ++removed;
      fmt::print("{} {} (run {}, coordinator PID {} is gone{})\n",
                 o.dry_run ? "would remove" : "removed", path, s.run_id, s.owner,
                 s.kept ? ", kept" : "");
    } else {
      ++failed;
      fmt::print(stderr, "shmlab clean: cannot remove {}: {}\n", path, why);
    }
  }
  clean_servers(o, removed, failed);
  clean_hosts(o, removed, failed);
  fmt::print("{} object(s) {}{}\n", removed, o.dry_run ? "to remove" : "removed",
             kept != 0 ? fmt::format("; {} of kept runs left (use --all)", kept) : "");
  return failed == 0 ? kExitOk : kExitEnvironment;
}

}  // namespace

Command add_clean(CLI::App& app) {
  auto opts = std::make_shared<CleanOptions>();
  CLI::App* sub = app.add_subcommand(
      "clean", "Remove shmlab objects left behind by runs whose coordinator is dead");
  sub->add_option("RUN", opts->runs, "Only these runs (e.g. shmlab-1234-0a1b2c3d)");
  sub->add_flag("--all", opts->all, "Also remove runs kept on purpose with 'run --keep'");
  sub->add_flag("-n,--dry-run", opts->dry_run, "Only list what would be removed");
  sub->footer(
      "Looks in /dev/shm and $TMPDIR (default /tmp) for objects named shmlab-<pid>-<id>* whose\n"
      "coordinator <pid> is gone, owned by you. Nothing else is touched. A throwaway PostgreSQL\n"
      "server's directory ($TMPDIR/shmlab-<pid>-<id>-pg-*) is removed after its server is "
      "stopped.\n"
      "Examples:\n"
      "  shmlab clean            after a coordinator was killed with SIGKILL\n"
      "  shmlab clean --all      also the runs kept with --keep\n"
      "  shmlab clean --all shmlab-1234-0a1b2c3d   one kept run");
  return {sub, [opts] { return execute(*opts); }};
}

}  // namespace shmlab::cli
