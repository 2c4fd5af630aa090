#include "shmlab/report/scenario_output.hpp"

#include <fmt/format.h>

#include <algorithm>

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

// A worker killed inside an operation (--crash W@after-write, or a real crash): the writes of
// that operation that landed (stamped after the region took them), and what they did to the
// scenario's totals: the units that left the stock unsold, the money a half transfer destroyed.
struct CrashCost {
  std::uint32_t worker = 0;  // 1-based
  std::uint64_t op = 0;      // 1-based
  std::vector<WriteEntry> landed;
  std::vector<std::uint32_t> unwritten;  // cells the operation reads whose write did not land
  bool logged = false;                   // the strategy logs writes (not atomic)
  std::int64_t effect = 0;               // inventory: units out of the stock; bank: money made
};

std::vector<CrashCost> crash_costs(const RunResult& r) {
  std::vector<CrashCost> out;
  const RunParams& p = r.record.params;
  const std::uint32_t per_op = writes_per_op(p);
  for (const WorkerRecord& w : r.record.workers) {
    if (w.end != WorkerEnd::kCrashed || w.ops >= p.increments) continue;
    CrashCost c{w.number, w.ops + 1, {}, {}, r.record.writes_logged && attributable(p.strategy)};
    for (std::uint32_t slot = 0; c.logged && slot < per_op; ++slot) {
      const std::uint64_t at = w.ops * per_op + slot;
      if (at < w.writes.size() && w.writes[at].logged != 0 && w.writes[at].t_write_ns != 0)
        c.landed.push_back(w.writes[at]);
    }
    const OpShape shape = scenario_of(p.scenario).shape(p, w.number - 1);
    for (std::uint8_t i = 0; i < shape.n_reads && !c.landed.empty(); ++i) {
      const std::uint32_t cell = shape.reads[i];
      if (std::none_of(c.landed.begin(), c.landed.end(),
                       [cell](const WriteEntry& e) { return e.cell == cell; }))
        c.unwritten.push_back(cell);
    }
    for (const WriteEntry& e : c.landed) {
      c.effect += p.scenario == Scenario::kInventory ? e.value_read - e.value_written
                                                     : e.value_written - e.value_read;
    }
    out.push_back(std::move(c));
  }
  return out;
}

void print_crash_costs(const RunResult& r, const Log& log) {
  const RunParams& p = r.record.params;
  const bool bank = p.scenario == Scenario::kBank;
  for (const CrashCost& c : crash_costs(r)) {
    const std::string what = fmt::format("Worker {} was killed in its {} {}", c.worker,
                                         bank ? "transfer" : "purchase", c.op);
    if (!c.logged) {
      log.race("{} (no write log under {}: the totals above say what it cost)", what,
               strategy_name(p.strategy));
      continue;
    }
    if (c.landed.empty()) {
      log.warning("{} before any of its writes landed: it cost nothing", what);
      continue;
    }
    std::string wrote;
    for (const WriteEntry& e : c.landed) {
      wrote += fmt::format("{}{} {} → {}", wrote.empty() ? "" : " and ", cell_name(p, e.cell),
                           e.value_read, e.value_written);
    }
    if (!bank) {
      log.race(
          "{} after writing stock {}, before its sale counted: {} unit(s) left the stock "
          "unsold",
          what, wrote.substr(wrote.find(' ') + 1), c.effect);
      continue;
    }
    std::string unwritten;
    for (std::uint32_t cell : c.unwritten)
      unwritten += fmt::format("{}{}", unwritten.empty() ? "" : " and ", cell_name(p, cell));
    if (unwritten.empty()) {
      log.warning("{} after both writes ({}): the transfer landed whole but was never counted",
                  what, wrote);
    } else {
      log.race("{} after writing {}, before writing {}: {} {} with the half transfer", what, wrote,
               unwritten, c.effect < 0 ? -c.effect : c.effect,
               c.effect < 0 ? "vanished" : "appeared");
    }
  }
}

nlohmann::json crash_costs_json(const RunResult& r) {
  const RunParams& p = r.record.params;
  nlohmann::json out = nlohmann::json::array();
  for (const CrashCost& c : crash_costs(r)) {
    nlohmann::json landed = nlohmann::json::array();
    for (const WriteEntry& e : c.landed) {
      landed.push_back(
          {{"cell", cell_name(p, e.cell)}, {"read", e.value_read}, {"wrote", e.value_written}});
    }
    nlohmann::json unwritten = nlohmann::json::array();
    for (std::uint32_t cell : c.unwritten) unwritten.push_back(cell_name(p, cell));
    nlohmann::json j = {{"worker", c.worker}, {"op", c.op}, {"writes_logged", c.logged}};
    if (c.logged) {
      j["landed"] = std::move(landed);
      j["unwritten"] = std::move(unwritten);
      j[p.scenario == Scenario::kBank ? "money_created" : "units_unsold"] = c.effect;
    }
    out.push_back(std::move(j));
  }
  return out;
}

void print_inventory(const RunResult& r, const Log& log, std::size_t max_lines) {
  const ScenarioOutcome& o = r.scenario;
  log.info("  Stock: {} → {}; {} sold, {} declined", o.stock_initial, o.stock_final, o.completed,
           o.declined);
  print_crash_costs(r, log);
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
  print_crash_costs(r, log);
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
  if (p.crash.worker != 0 ||
      std::any_of(r.record.workers.begin(), r.record.workers.end(),
                  [](const WorkerRecord& w) { return w.end == WorkerEnd::kCrashed; }))
    j["crashes"] = crash_costs_json(r);
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
