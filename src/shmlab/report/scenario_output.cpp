#include "shmlab/report/scenario_output.hpp"

#include <fmt/format.h>

#include "shmlab/region/backend.hpp"
#include "shmlab/report/summary.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

// "worker 2 and worker 3 both bought from stock 1": a lost sale and the sale that erased it.
void print_inventory_lost(const RunResult& r, const Log& log, std::size_t max_lines) {
  std::size_t shown = 0;
  for (const LostUpdate& l : r.attribution.lost) {
    if (shown++ == max_lines) break;
    const WriteRef& a = l.lost;
    const WriteRef& b = l.erased_by;
    if (l.evidence == EraserEvidence::kAmbiguous) {
      log.race("worker {}'s sale (stock {} → {}) was erased by worker {}'s or a later one ({})",
               a.worker, a.value_read, a.value_written, b.worker, ambiguity(l));
    } else if (a.value_read == b.value_read) {
      log.race("{} sold twice: worker {} and worker {} both bought from stock {}",
               a.value_read == 1 ? "The last item was" : "An item was", a.worker, b.worker,
               a.value_read);
    } else {
      log.race("worker {}'s sale (stock {} → {}) was erased by worker {}'s (stock {} → {})",
               a.worker, a.value_read, a.value_written, b.worker, b.value_read, b.value_written);
    }
  }
  if (r.attribution.lost.size() > max_lines)
    log.race("  ... and {} more (see --json)", r.attribution.lost.size() - max_lines);
}

void print_bank_lost(const RunResult& r, const Log& log, std::size_t max_lines) {
  const RunParams& p = r.record.params;
  std::size_t shown = 0;
  for (const LostUpdate& l : r.attribution.lost) {
    if (shown++ == max_lines) break;
    const std::string note = ambiguity(l);
    log.race("account {}: worker {}'s write {} → {} was erased by worker {}'s {} → {}{}{}",
             cell_name(p, l.cell), l.lost.worker, l.lost.value_read, l.lost.value_written,
             l.erased_by.worker, l.erased_by.value_read, l.erased_by.value_written,
             note.empty() ? "" : " or a later one: ", note);
  }
  if (r.attribution.lost.size() > max_lines)
    log.race("  ... and {} more (see --json)", r.attribution.lost.size() - max_lines);
}

void print_inventory(const RunResult& r, const Log& log, std::size_t max_lines) {
  const ScenarioOutcome& o = r.scenario;
  log.info("  Stock: {} → {}; {} sold, {} declined", o.stock_initial, o.stock_final, o.completed,
           o.declined);
  if (o.invariant_held) {
    if (r.outcome != Outcome::kCorrect) return;  // stopped early: nothing to celebrate
    log.success("Every unit sold left the stock exactly once: {} sold, {} left", o.completed,
                o.stock_final);
    return;
  }
  print_inventory_lost(r, log, max_lines);
  if (o.oversold > 0) {
    log.race("Oversold: {} unit(s) sold that never left the stock ({} strategy on {})", o.oversold,
             strategy_name(r.record.params.strategy), backend_name(r.record.params.backend));
  }
}

void print_bank(const RunResult& r, const Log& log, std::size_t max_lines) {
  const ScenarioOutcome& o = r.scenario;
  std::string balances;
  for (std::size_t a = 0; a < o.accounts.size() && a < max_lines; ++a)
    balances += fmt::format("{}{} {}", a == 0 ? "" : ", ", o.accounts[a], o.balances[a]);
  if (o.accounts.size() > max_lines)
    balances += fmt::format(", ... ({} in all)", o.accounts.size());
  log.info("  Balances: {} (total {}, was {})", balances, o.total_final, o.total_initial);
  log.info("  Transfers: {} completed, {} declined", o.completed, o.declined);
  if (r.record.params.scenario_params.auditor) {
    log.info("  Auditor: {} snapshot(s) read, {} with a wrong total (read skew)", o.audits,
             o.audits_inconsistent);
  }
  if (o.invariant_held) {
    log.success(
        "Money conserved: total {}, every account at its initial balance plus its "
        "completed transfers",
        o.total_final);
    return;
  }
  print_bank_lost(r, log, max_lines);
  const std::int64_t created = o.total_final - o.total_initial;
  if (created > 0) log.race("Money created: {} out of nothing", created);
  if (created < 0) log.race("Money destroyed: {} vanished", -created);
  std::size_t shown = 0;
  for (std::size_t a = 0; a < o.accounts.size(); ++a) {
    if (o.balances[a] < 0) log.race("Account {} is overdrawn: {}", o.accounts[a], o.balances[a]);
    if (o.balances[a] != o.should_be[a] && shown++ < max_lines) {
      log.race("Account {} ends at {}, but its completed transfers say {}", o.accounts[a],
               o.balances[a], o.should_be[a]);
    }
  }
  if (created == 0 && o.transfers_lost != 0)
    log.race("The total holds, yet {} transfer update(s) were lost", o.transfers_lost);
  if (o.overdrafts != 0) {
    log.race(
        "Overdrafts: {} transfer(s) took an account below 0 (the atomic add returned the "
        "balance it replaced)",
        o.overdrafts);
  }
  if (r.record.params.strategy == Strategy::kAtomic && (o.overdrawn || o.overdrafts != 0)) {
    log.info(
        "  (atomic adds keep the total right, but the overdraft check reads before it "
        "subtracts: two transfers both passed it)");
  }
}

}  // namespace

void print_scenario_summary(const RunResult& r, const Log& log, std::size_t max_lines) {
  if (r.record.params.scenario == Scenario::kInventory) {
    print_inventory(r, log, max_lines);
  } else {
    print_bank(r, log, max_lines);
  }
}

void add_scenario_json(const RunResult& r, nlohmann::json& j) {
  const ScenarioOutcome& o = r.scenario;
  const RunParams& p = r.record.params;
  if (p.scenario == Scenario::kInventory) {
    j["stock_initial"] = o.stock_initial;
    j["stock_final"] = o.stock_final;
    j["sold"] = o.completed;
    j["declined"] = o.declined;
    j["oversold"] = o.oversold;
  } else {
    nlohmann::json balances = nlohmann::json::object();
    for (std::size_t a = 0; a < o.accounts.size(); ++a) balances[o.accounts[a]] = o.balances[a];
    j["accounts"] = p.scenario_params.accounts;
    j["balance"] = p.scenario_params.balance;
    j["amount"] = p.scenario_params.amount;
    j["total_initial"] = o.total_initial;
    j["total_final"] = o.total_final;
    j["money_created"] = o.total_final - o.total_initial;
    j["balances"] = std::move(balances);
    j["transfers"] = o.completed;
    j["declined"] = o.declined;
    j["transfers_lost"] = o.transfers_lost;
    j["overdrawn"] = o.overdrawn;
    j["overdrafts"] = o.overdrafts;
    if (p.scenario_params.auditor) {
      j["audits"] = o.audits;
      j["audits_inconsistent"] = o.audits_inconsistent;
    }
  }
  j["invariant_held"] = o.invariant_held;
  if (!r.record.deadlock.empty()) {
    nlohmann::json cycle = nlohmann::json::array();
    for (const WaitLink& l : r.record.deadlock) {
      cycle.push_back({{"worker", l.worker},
                       {"holds", cell_name(p, l.holds)},
                       {"waits_for", cell_name(p, l.waits_for)}});
    }
    j["deadlock"] = std::move(cycle);
  }
}

}  // namespace shmlab
