#include "shmlab/sync/lock_objects.hpp"

#include "shmlab/sync/semaphore_lock.hpp"

namespace shmlab {

LockObjects LockObjects::create(const RunParams& params) {
  LockObjects objects;
  if (params.strategy == Strategy::kSemaphore) {
    // Value 1: a binary semaphore, i.e. a lock.
    objects.semaphore_ = sys::NamedSemaphore::create(semaphore_name(params), 1);
  }
  return objects;
}

void LockObjects::keep() noexcept {
  if (semaphore_) semaphore_->disown();
}

}  // namespace shmlab
