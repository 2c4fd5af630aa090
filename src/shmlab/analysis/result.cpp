#include "shmlab/analysis/result.hpp"

#include <algorithm>
#include <cstdlib>

#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {

std::string_view worker_end_name(WorkerEnd end) {
  switch (end) {
    case WorkerEnd::kOk:
      return "ok";
    case WorkerEnd::kFailed:
      return "failed";
    case WorkerEnd::kCrashed:
      return "crashed";
    case WorkerEnd::kKilled:
      return "killed";
    case WorkerEnd::kTimeout:
      return "timeout";
    case WorkerEnd::kDisconnected:
      return "disconnected";
  }
  return "?";
}

namespace {

// Inventory and bank: the invariant from the final cells and the operations that took effect.
void judge_scenario(const RunRecord& record, RunResult& r) {
  const RunParams& p = record.params;
  ScenarioOutcome& o = r.scenario;
  o.applies = true;
  for (const WorkerRecord& w : record.workers) {
    o.completed += w.completed;
    o.declined += w.declined;
    o.overdrafts += w.overdrafts;
  }
  o.audits = record.audits;
  o.audits_inconsistent = record.audits_inconsistent;
  const std::vector<CellSpec> cells = scenario_of(p.scenario).cells(p);
  std::vector<std::int64_t> final;
  for (const CounterRecord& c : record.final_cells) final.push_back(c.counter);
  final.resize(cells.size(), 0);
  if (p.scenario == Scenario::kInventory) {
    o.stock_initial = cells[0].initial;
    o.stock_final = final[0];
    const auto sold = static_cast<std::int64_t>(o.completed);
    o.oversold = sold - (o.stock_initial - o.stock_final);
    o.invariant_held = o.oversold == 0 && sold <= o.stock_initial;
    r.expected = o.stock_initial - sold;  // the stock the sales leave
    r.final_value = o.stock_final;
    r.lost_updates = o.oversold;
  } else {
    const std::int64_t x = p.scenario_params.amount;
    for (std::size_t a = 0; a < cells.size(); ++a) {
      o.accounts.push_back(cells[a].name);
      o.total_initial += cells[a].initial;
      o.total_final += final[a];
      o.overdrawn = o.overdrawn || final[a] < 0;
    }
    o.balances = final;
    o.should_be.assign(cells.size(), 0);
    for (std::size_t a = 0; a < cells.size(); ++a) o.should_be[a] = cells[a].initial;
    const std::uint32_t k = p.scenario_params.accounts;
    for (const WorkerRecord& w : record.workers) {
      const auto moved = static_cast<std::int64_t>(w.completed) * x;
      o.should_be[(w.number - 1) % k] -= moved;
      o.should_be[w.number % k] += moved;
    }
    std::int64_t off = 0;
    for (std::size_t a = 0; a < cells.size(); ++a) off += std::abs(final[a] - o.should_be[a]);
    o.transfers_lost = static_cast<std::uint64_t>(off / x);
    o.invariant_held =
        o.total_final == o.total_initial && !o.overdrawn && o.overdrafts == 0 && off == 0;
    r.expected = o.total_initial;
    r.final_value = o.total_final;
    r.lost_updates = static_cast<std::int64_t>(o.transfers_lost);
  }
  r.correct = o.invariant_held;
}

}  // namespace

RunResult analyse(RunRecord record) {
  RunResult r;
  const RunParams& p = record.params;
  // The counter's start value (--initial); the other scenarios judge from their own cells.
  const std::int64_t start = p.scenario == Scenario::kCounter ? p.scenario_params.initial : 0;
  r.expected = start + static_cast<std::int64_t>(std::uint64_t{p.workers} * p.increments);
  r.final_value = record.final_total;
  if (!record.schedule.empty()) r.schedule = record.schedule;
  for (const WorkerRecord& w : record.workers) {
    r.verify_changed += w.verify_changed;
    r.verify_overwritten += w.verify_overwritten;
    r.torn_reads += w.torn_reads;
    r.recoveries += w.recoveries;
    r.leases_expired += w.leases_expired;
    r.late_writes_rejected += w.fenced_out;
    r.completed_ops += w.ops;
  }
  const bool faulted =
      std::any_of(record.workers.begin(), record.workers.end(), [](const WorkerRecord& w) {
        return w.end == WorkerEnd::kCrashed || w.end == WorkerEnd::kTimeout ||
               w.end == WorkerEnd::kDisconnected;
      });
  const bool failed =
      std::any_of(record.workers.begin(), record.workers.end(),
                  [](const WorkerRecord& w) { return w.end == WorkerEnd::kFailed; });
  // With a crash the expectation is what the workers did complete, plus the write of an unfinished
  // operation that landed (its worker died before counting the operation).
  const bool counter = p.scenario == Scenario::kCounter;
  if (counter || writes_per_op(p) == 1) r.unfinished = unfinished_ops(record);
  if (faulted || record.end != RunEnd::kCompleted) {
    r.expected = start + static_cast<std::int64_t>(r.completed_ops);
    for (const UnfinishedOp& u : r.unfinished) r.expected += u.fate == WriteFate::kLanded ? 1 : 0;
  }
  r.lost_updates = r.expected - r.final_value;
  r.correct = r.lost_updates == 0;
  if (!counter) judge_scenario(record, r);

  r.attribution_applicable = attributable(p.strategy);
  if (r.attribution_applicable && record.writes_logged && record.final_record) {
    std::vector<std::vector<WriteEntry>> logs;
    logs.reserve(record.workers.size());
    for (const WorkerRecord& w : record.workers) logs.push_back(w.writes);
    // Attribution counts a write as made when it has a time: give one to a landed write whose
    // worker died before stamping it, and take it from a write that never counted.
    for (const UnfinishedOp& u : r.unfinished) {
      if (u.fate == WriteFate::kNotMade) continue;
      WriteEntry& e = logs[u.worker - 1][u.op - 1];
      if (u.fate == WriteFate::kLanded && e.t_write_ns == 0) e.t_write_ns = 1;
      if (u.fate == WriteFate::kRolledBack || u.fate == WriteFate::kUnknown) e.t_write_ns = 0;
    }
    if (counter) {
      r.attribution = attribute(logs, p.increments, record.final_record->write_id);
    } else {
      std::vector<std::uint64_t> final_ids;
      for (const CounterRecord& c : record.final_cells) final_ids.push_back(c.write_id);
      r.attribution = attribute_cells(logs, p.increments, writes_per_op(p), final_ids);
    }
    r.attributed = true;
  }

  if (record.schedule.empty()) r.observed = observe_schedule(record);

  if (record.end == RunEnd::kInterrupted) {
    r.outcome = Outcome::kInterrupted;
  } else if (faulted || record.end == RunEnd::kTimeout || record.end == RunEnd::kDeadlock) {
    r.outcome = Outcome::kWorkerFault;
  } else if (failed) {
    r.outcome = Outcome::kEnvironment;
  } else {
    r.outcome = r.correct ? Outcome::kCorrect : Outcome::kLost;
  }
  r.record = std::move(record);
  return r;
}

}  // namespace shmlab
