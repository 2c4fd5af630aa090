#include "shmlab/report/replay_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "shmlab/region/backend.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/shell_quote.hpp"

namespace shmlab {

using sys::shell_quote;

std::string replay_command(const RunResult& r) {
  if (!r.observed.captured()) return "";
  return schedule_command(r.record, format_schedule(r.observed.tokens));
}

std::string run_command_prefix(const RunRecord& r) {
  const RunParams& p = r.params;
  std::string cmd = fmt::format("shmlab run -w {} -n {}", p.workers, p.increments);
  if (p.scenario == Scenario::kCounter && p.scenario_params.initial != 0)
    cmd += fmt::format(" --initial {}", p.scenario_params.initial);
  if (p.scenario != Scenario::kCounter) {
    cmd += fmt::format(" --scenario {}", scenario_of(p.scenario).name());
    const ScenarioParams& s = p.scenario_params;
    if (p.scenario == Scenario::kInventory) cmd += fmt::format(" --stock {}", s.stock);
    if (p.scenario == Scenario::kBank) {
      cmd +=
          fmt::format(" --accounts {} --balance {} --amount {}", s.accounts, s.balance, s.amount);
    }
  }
  cmd += fmt::format(" --backend {} --strategy {}", backend_name(p.backend),
                     strategy_name(p.strategy));
  if (p.backend == Backend::kPostgres) {
    // Without --dsn, a throwaway server of the replay's own; an empty --dsn is libpq's PG*
    // variables.
    if (r.dsn && !r.dsn->empty()) cmd += " --dsn " + shell_quote(dsn_without_password(*r.dsn));
    if (r.hosts != 0) cmd += fmt::format(" --hosts {}", r.hosts);
    if (r.remote_workers) cmd += " --remote-workers";
    if (r.partition.worker != 0) {
      cmd += " --partition " + format_pause_spec(r.partition);
      if (r.partition_server) cmd += ":server";
    }
    if (p.strategy == Strategy::kTransaction)
      cmd += fmt::format(" --isolation {}", isolation_name(p.isolation));
  }
  if (p.strategy == Strategy::kLease) {
    cmd += fmt::format(" --lease {}{}", p.lease.ms, p.lease.fencing ? " --fencing" : "");
  }
  // The pause is part of what happened: a stopped worker holds the schedule as it held the run.
  if (p.pause.worker != 0) cmd += " --pause " + format_pause_spec(p.pause);
  return cmd;
}

std::string schedule_command(const RunRecord& r, const std::string& schedule) {
  // Tokens are digits, letters and spaces: double quotes are all a shell needs.
  return run_command_prefix(r) + fmt::format(" --schedule \"{}\"", schedule);
}

std::string replay_line(const RunResult& r) {
  if (!r.observed.captured()) return fmt::format("No replay schedule: {}", r.observed.reason);
  if (r.observed.tokens.size() > kMaxPrintedTokens) {
    return fmt::format(
        "Replay this interleaving: {} steps, too many for one line: the command is "
        "replay_command in --json",
        r.observed.tokens.size());
  }
  return "Replay this interleaving: " + replay_command(r);
}

}  // namespace shmlab
