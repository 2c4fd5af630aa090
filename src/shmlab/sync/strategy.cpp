#include "shmlab/sync/strategy.hpp"

#include <fmt/format.h>

#include <array>

#include "shmlab/region/backend.hpp"

namespace shmlab {
namespace {

constexpr std::array<StrategyInfo, 15> kStrategies = {{
    {Strategy::kNone, "none", Family::kPlain, "no protection: read, window, write (loses updates)"},
    {Strategy::kMutex, "mutex", Family::kLocked, "process-shared robust pthread mutex"},
    {Strategy::kSpinlock, "spinlock", Family::kLocked, "test-and-test-and-set spin lock"},
    {Strategy::kSemaphore, "semaphore", Family::kLocked, "POSIX named semaphore as a binary lock"},
    {Strategy::kFlock, "flock", Family::kLocked, "flock(2) exclusive lock on the region's file"},
    {Strategy::kOfd, "ofd", Family::kLocked, "fcntl open-file-description byte-range lock"},
    {Strategy::kAtomic, "atomic", Family::kAtomic, "one atomic read-modify-write"},
    {Strategy::kCas, "cas", Family::kCas, "optimistic compare-and-swap with retry"},
    {Strategy::kSharded, "sharded", Family::kSharded, "one cell per worker, summed at the end"},
    {Strategy::kTransaction, "transaction", Family::kTransaction,
     "a database transaction (sqlite BEGIN IMMEDIATE; postgres --isolation), retried"},
    {Strategy::kAccountLocks, "account-locks", Family::kLocked,
     "bank: one lock per account, taken from-then-to (deadlocks)"},
    {Strategy::kOrderedLocks, "ordered-locks", Family::kLocked,
     "bank: one lock per account, taken in account order"},
    {Strategy::kLease, "lease", Family::kLocked,
     "a lock that expires (--lease MS), stored with the data; --fencing refuses late writes"},
    {Strategy::kForUpdate, "for-update", Family::kTransaction,
     "postgres: SELECT ... FOR UPDATE in a transaction (the row lock)"},
    {Strategy::kAdvisory, "advisory", Family::kTransaction,
     "postgres: pg_advisory_xact_lock, then SELECT and UPDATE"},
}};

}  // namespace

const StrategyInfo& strategy_info(Strategy strategy) {
  return kStrategies[static_cast<std::size_t>(strategy)];
}

std::string_view strategy_name(Strategy strategy) { return strategy_info(strategy).name; }

std::optional<Strategy> parse_strategy(std::string_view name) {
  for (const auto& s : kStrategies) {
    if (s.name == name) return s.id;
  }
  return std::nullopt;
}

std::span<const StrategyInfo> all_strategies() { return kStrategies; }

bool attributable(Strategy strategy) {
  const Family f = strategy_info(strategy).family;
  return f != Family::kAtomic && f != Family::kSharded;
}

bool fits(Strategy strategy, Backend backend) {
  const bool memory = backend == Backend::kMmap || backend == Backend::kShm;
  switch (strategy) {
    case Strategy::kNone:
    case Strategy::kMutex:
    case Strategy::kSpinlock:
    case Strategy::kSemaphore:
    case Strategy::kAccountLocks:
    case Strategy::kOrderedLocks:
      return true;  // the lock lives in the control block or the kernel and guards any backend
    case Strategy::kFlock:
    case Strategy::kOfd:
      // every local backend has a file; on sqlite a descriptor of its own (see docs)
      return backend != Backend::kPostgres;
    case Strategy::kSharded:
      return true;  // one cell per worker: a cache line, a file slot, a table row
    case Strategy::kAtomic:
    case Strategy::kCas:
      // no atomic read-modify-write of a file
      return memory || backend == Backend::kSqlite || backend == Backend::kPostgres;
    case Strategy::kTransaction:
      return backend == Backend::kSqlite || backend == Backend::kPostgres;
    case Strategy::kLease:
      // The lease record is taken with one atomic step of the storage (a CAS of its word, a
      // conditional UPDATE); a file has neither (docs/lease.md).
      return memory || backend == Backend::kSqlite || backend == Backend::kPostgres;
    case Strategy::kForUpdate:
    case Strategy::kAdvisory:
      return backend == Backend::kPostgres;  // the server's row and advisory locks
  }
  return false;
}

std::vector<Backend> backends_for(Strategy strategy) {
  std::vector<Backend> out;
  for (Backend b : all_backends()) {
    if (fits(strategy, b)) out.push_back(b);
  }
  return out;
}

std::string fitting_backends_message(Strategy strategy) {
  std::vector<std::string_view> names;
  for (Backend b : backends_for(strategy)) names.push_back(backend_name(b));
  return fmt::format("strategy '{}' runs on: {}", strategy_name(strategy), fmt::join(names, ", "));
}

}  // namespace shmlab
