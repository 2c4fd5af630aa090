// RunResult: the verdict on one run — expected vs final, the exact lost updates and who erased
// them, VERIFY detections labelled honestly, each worker's end — built from a RunRecord.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/analysis/attribution.hpp"
#include "shmlab/run/run_record.hpp"

namespace shmlab {

enum class Outcome {
  kCorrect,      // completed, final == expected
  kLost,         // completed, updates lost (or an invariant broke)
  kWorkerFault,  // a worker crashed, or the watchdog stopped a stuck run
  kEnvironment,  // a worker failed on its environment (shared memory, disk)
  kInterrupted,  // SIGINT/SIGTERM
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
  std::uint64_t completed_ops = 0;  // increments the workers finished (crashed ones included)
  // Exact attribution; `attributed` false when writes were not logged (too many to keep) or when
  // the strategy's writes carry no id (`attribution_applicable` false: atomic, sharded). Either
  // way lost_updates (expected − final) stays exact.
  bool attributed = false;
  bool attribution_applicable = true;
  Attribution attribution;
  Outcome outcome = Outcome::kCorrect;
};

RunResult analyse(RunRecord record);

std::string_view worker_end_name(WorkerEnd end);

}  // namespace shmlab
