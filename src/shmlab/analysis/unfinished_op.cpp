#include "shmlab/analysis/unfinished_op.hpp"

#include <unordered_set>

#include "shmlab/sync/strategy.hpp"

namespace shmlab {

std::string_view write_fate_name(WriteFate fate) {
  switch (fate) {
    case WriteFate::kNotMade:
      return "not made";
    case WriteFate::kLanded:
      return "landed";
    case WriteFate::kRolledBack:
      return "rolled back";
    case WriteFate::kUnknown:
      return "unknown";
  }
  return "?";
}

namespace {

// Strategies whose writes carry no id (atomic, sharded) log nothing, but they never lose an
// update: every increment that landed is in the total, so total − completed operations is how
// many unfinished operations landed. Which ones is certain only when all or none did.
std::vector<UnfinishedOp> inferred_from_total(const RunRecord& record) {
  std::vector<UnfinishedOp> out;
  const RunParams& p = record.params;
  std::uint64_t completed = 0;
  for (std::uint32_t i = 0; i < record.workers.size(); ++i) {
    const WorkerRecord& w = record.workers[i];
    completed += w.ops;
    if (w.ops < p.increments) out.push_back({i + 1, w.ops + 1, 0, 0, WriteFate::kNotMade, false});
  }
  const std::int64_t landed = record.final_total - static_cast<std::int64_t>(completed);
  const auto early = static_cast<std::int64_t>(out.size());
  for (UnfinishedOp& u : out) {
    u.fate = landed == 0       ? WriteFate::kNotMade
             : landed == early ? WriteFate::kLanded
                               : WriteFate::kUnknown;
  }
  return out;
}

}  // namespace

std::vector<UnfinishedOp> unfinished_ops(const RunRecord& record) {
  std::vector<UnfinishedOp> out;
  const RunParams& p = record.params;
  if (!attributable(p.strategy)) return inferred_from_total(record);
  if (!record.writes_logged) return out;
  // Every write some other write was built on, and the final one: these certainly landed.
  std::unordered_set<std::uint64_t> read_by_someone;
  if (record.final_record) read_by_someone.insert(record.final_record->write_id);
  for (const WorkerRecord& w : record.workers) {
    for (const WriteEntry& e : w.writes) {
      if (e.logged != 0) read_by_someone.insert(e.based_on);
    }
  }
  const bool transactional = strategy_info(p.strategy).family == Family::kTransaction;
  for (std::uint32_t i = 0; i < record.workers.size(); ++i) {
    const WorkerRecord& w = record.workers[i];
    if (w.ops >= p.increments || w.ops >= w.writes.size()) continue;
    UnfinishedOp u;
    u.worker = i + 1;
    u.op = w.ops + 1;
    const WriteEntry& e = w.writes[w.ops];
    // An entry the worker never filled is all zeros, `logged` included.
    u.values_known = e.logged != 0;
    if (e.logged != 0) {
      u.value_read = e.value_read;
      u.value_written = e.value_written;
      if (read_by_someone.count(write_id(i, w.ops, p.increments)) != 0) {
        u.fate = WriteFate::kLanded;
      } else if (transactional) {
        // A committed write is read by the next transaction or is the final one; this one was not.
        u.fate = WriteFate::kRolledBack;
      } else {
        u.fate = e.t_write_ns != 0 ? WriteFate::kLanded : WriteFate::kUnknown;
      }
    }
    out.push_back(u);
  }
  return out;
}

}  // namespace shmlab
