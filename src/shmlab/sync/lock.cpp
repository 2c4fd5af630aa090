#include "shmlab/sync/lock.hpp"

#include <stdexcept>

#include "shmlab/control/control_block.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/sync/flock_lock.hpp"
#include "shmlab/sync/lease_lock.hpp"
#include "shmlab/sync/ofd_lock.hpp"
#include "shmlab/sync/robust_mutex.hpp"
#include "shmlab/sync/semaphore_lock.hpp"
#include "shmlab/sync/spin_lock.hpp"

namespace shmlab {
namespace {

int region_fd(const Region& region, const char* strategy) {
  // `fits` keeps flock/ofd to backends with a file; reaching here without one is a bug.
  if (region.lock_fd() < 0) {
    throw std::logic_error(std::string(strategy) + ": the region has no file to lock");
  }
  return region.lock_fd();
}

}  // namespace

std::unique_ptr<Lock> make_lock(Strategy strategy, ControlBlock& control, Region& region,
                                std::uint32_t worker_index) {
  switch (strategy) {
    case Strategy::kMutex:
      return std::make_unique<RobustMutex>(&control.header().mutex);
    case Strategy::kSpinlock:
      return std::make_unique<SpinLock>(&control.header().spin);
    case Strategy::kSemaphore:
      return std::make_unique<SemaphoreLock>(
          sys::NamedSemaphore::open(semaphore_name(control.params())));
    case Strategy::kFlock:
      return std::make_unique<FlockLock>(region_fd(region, "flock"));
    case Strategy::kOfd:
      return std::make_unique<OfdLock>(region_fd(region, "ofd"), region.record_bytes());
    case Strategy::kAccountLocks:
    case Strategy::kOrderedLocks:
      // Per-account locks are taken by lock id (make_account_lock); as one lock (a scenario
      // without accounts never runs them, `bench` may) they are account A's.
      return std::make_unique<RobustMutex>(&control.header().locks[0].mutex);
    case Strategy::kLease:
      return std::make_unique<LeaseLock>(region, worker_index + 1, control.params().lease.ms,
                                         control.slot(worker_index).leases_expired);
    case Strategy::kNone:
    case Strategy::kAtomic:
    case Strategy::kCas:
    case Strategy::kSharded:
    case Strategy::kTransaction:
    case Strategy::kForUpdate:
    case Strategy::kAdvisory:
      return nullptr;
  }
  return nullptr;
}

}  // namespace shmlab
