#include "shmlab/report/replay_line.hpp"

#include <fmt/format.h>

#include "shmlab/region/backend.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {

std::string replay_command(const RunResult& r) {
  if (!r.observed.captured()) return "";
  return schedule_command(r.record.params, format_schedule(r.observed.tokens));
}

std::string run_command_prefix(const RunParams& p) {
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
  return cmd + fmt::format(" --backend {} --strategy {}", backend_name(p.backend),
                           strategy_name(p.strategy));
}

std::string schedule_command(const RunParams& p, const std::string& schedule) {
  // Tokens are digits, letters and spaces: double quotes are all a shell needs.
  return run_command_prefix(p) + fmt::format(" --schedule \"{}\"", schedule);
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
