#include "shmlab/sync/bare_primitive.hpp"

namespace shmlab::bare {

std::string_view primitive_name(BarePrimitive p) {
  switch (p) {
    case BarePrimitive::kPlainStore:
      return "plain-store";
    case BarePrimitive::kAtomicAdd:
      return "atomic-fetch-add";
    case BarePrimitive::kCasLoop:
      return "cas-loop";
    case BarePrimitive::kShardedCell:
      return "sharded-cell";
    case BarePrimitive::kRobustMutex:
      return "robust-mutex";
    case BarePrimitive::kSpinlock:
      return "spinlock";
    case BarePrimitive::kSemaphore:
      return "named-semaphore";
    case BarePrimitive::kFlock:
      return "flock";
    case BarePrimitive::kOfd:
      return "ofd-lock";
    case BarePrimitive::kBoostMutex:
      return "boost-interprocess-mutex";
    case BarePrimitive::kPgbenchUpdate:
      return "pgbench-update";
    case BarePrimitive::kPgbenchForUpdate:
      return "pgbench-for-update";
    case BarePrimitive::kPgbenchCas:
      return "pgbench-cas";
    case BarePrimitive::kPgbenchTransaction:
      return "pgbench-transaction";
    case BarePrimitive::kPgbenchAdvisory:
      return "pgbench-advisory";
  }
  return "?";
}

bool needs_memory(BarePrimitive p) {
  return p == BarePrimitive::kAtomicAdd || p == BarePrimitive::kCasLoop;
}

bool is_lock(BarePrimitive p) {
  return !needs_memory(p) && !is_pgbench(p) && p != BarePrimitive::kPlainStore &&
         p != BarePrimitive::kShardedCell;
}

bool is_peer(BarePrimitive p) { return p == BarePrimitive::kBoostMutex || is_pgbench(p); }

bool is_pgbench(BarePrimitive p) {
  return p == BarePrimitive::kPgbenchUpdate || p == BarePrimitive::kPgbenchForUpdate ||
         p == BarePrimitive::kPgbenchCas || p == BarePrimitive::kPgbenchTransaction ||
         p == BarePrimitive::kPgbenchAdvisory;
}

}  // namespace shmlab::bare
