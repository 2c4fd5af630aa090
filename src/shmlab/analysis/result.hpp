// RunResult: the verdict on one run — expected vs final, the exact lost updates and who erased
// them, VERIFY detections labelled honestly, each worker's end — built from a RunRecord.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/analysis/attribution.hpp"
#include "shmlab/analysis/observed_schedule.hpp"
#include "shmlab/analysis/unfinished_op.hpp"
#include "shmlab/run/run_record.hpp"

namespace shmlab {

enum class Outcome {
  kCorrect,      // completed, final == expected
  kLost,         // completed, updates lost (or an invariant broke)
  kWorkerFault,  // a worker crashed, or the watchdog stopped a stuck run
  kEnvironment,  // a worker failed on its environment (shared memory, disk)
  kInterrupted,  // SIGINT/SIGTERM
};

// The verdict of the inventory and bank scenarios (the counter's is expected vs final).
struct ScenarioOutcome {
  bool applies = false;  // false: the counter
  bool invariant_held = true;
  std::uint64_t completed = 0;  // sales, transfers
  std::uint64_t declined = 0;
  // inventory
  std::int64_t stock_initial = 0;
  std::int64_t stock_final = 0;
  std::int64_t oversold = 0;  // sold − (initial − final)
  // bank
  std::int64_t total_initial = 0;
  std::int64_t total_final = 0;
  std::vector<std::string> accounts;    // names
  std::vector<std::int64_t> balances;   // final
  std::vector<std::int64_t> should_be;  // initial + completed transfers in − out
  std::uint64_t transfers_lost = 0;     // Σ |balance − should_be| / amount
  bool overdrawn = false;               // some balance below 0 at the end
  std::uint64_t overdrafts = 0;         // steps that took a balance below 0 (they say so)
  std::uint64_t audits = 0;
  std::uint64_t audits_inconsistent = 0;
};

struct RunResult {
  RunRecord record;
  std::optional<std::string> schedule;
  std::int64_t expected = 0;
  std::int64_t final_value = 0;
  std::int64_t lost_updates = 0;
  bool correct = false;
  std::uint64_t verify_changed = 0;
  std::uint64_t verify_overwritten = 0;
  std::uint64_t torn_reads = 0;
  std::uint64_t recoveries = 0;
  std::uint64_t leases_expired = 0;        // lease: grants lost to expiry, all workers
  std::uint64_t late_writes_rejected = 0;  // lease --fencing: writes the storage refused
  std::uint64_t completed_ops = 0;  // increments the workers finished (crashed ones included)
  // The operation each early-ended worker was in, and whether its write landed (counted in
  // `expected` when it did).
  std::vector<UnfinishedOp> unfinished;
  // Exact attribution; `attributed` false when writes were not logged (too many to keep) or when
  // the strategy's writes carry no id (`attribution_applicable` false: atomic, sharded). Either
  // way lost_updates (expected − final) stays exact.
  bool attributed = false;
  bool attribution_applicable = true;
  Attribution attribution;
  ScenarioOutcome scenario;
  Outcome outcome = Outcome::kCorrect;
  // A run the OS scheduled: the schedule that replays it, or why there is none.
  ObservedSchedule observed;
  // --replay-check: whether the replay of `observed` matched (analysis/replay_check.hpp).
  bool replay_checked = false;
  std::vector<std::string> replay_differences;
};

RunResult analyse(RunRecord record);

std::string_view worker_end_name(WorkerEnd end);

}  // namespace shmlab
