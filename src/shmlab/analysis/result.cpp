#include "shmlab/analysis/result.hpp"

#include <algorithm>

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
  }
  return "?";
}

RunResult analyse(RunRecord record) {
  RunResult r;
  const RunParams& p = record.params;
  r.expected = static_cast<std::int64_t>(std::uint64_t{p.workers} * p.increments);
  r.final_value = record.final_total;
  if (!record.schedule.empty()) r.schedule = record.schedule;
  for (const WorkerRecord& w : record.workers) {
    r.verify_changed += w.verify_changed;
    r.verify_overwritten += w.verify_overwritten;
    r.torn_reads += w.torn_reads;
    r.recoveries += w.recoveries;
    r.completed_ops += w.ops;
  }
  const bool faulted =
      std::any_of(record.workers.begin(), record.workers.end(), [](const WorkerRecord& w) {
        return w.end == WorkerEnd::kCrashed || w.end == WorkerEnd::kTimeout;
      });
  const bool failed =
      std::any_of(record.workers.begin(), record.workers.end(),
                  [](const WorkerRecord& w) { return w.end == WorkerEnd::kFailed; });
  // With a crash the expectation is what the workers did complete; a write the dead worker made
  // but did not finish counting is found by attribution instead.
  if (faulted || record.end != RunEnd::kCompleted)
    r.expected = static_cast<std::int64_t>(r.completed_ops);
  r.lost_updates = r.expected - r.final_value;
  r.correct = r.lost_updates == 0;

  r.attribution_applicable = attributable(p.strategy);
  if (r.attribution_applicable && record.writes_logged && record.final_record) {
    std::vector<std::vector<WriteEntry>> logs;
    logs.reserve(record.workers.size());
    for (const WorkerRecord& w : record.workers) logs.push_back(w.writes);
    r.attribution = attribute(logs, p.increments, record.final_record->write_id);
    r.attributed = true;
  }

  if (record.end == RunEnd::kInterrupted) {
    r.outcome = Outcome::kInterrupted;
  } else if (faulted || record.end == RunEnd::kTimeout) {
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
