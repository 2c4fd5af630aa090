#include "shmlab/sync/robust_mutex.hpp"

#include <cerrno>

#include "shmlab/sys/syscall.hpp"

namespace shmlab {

LockResult RobustMutex::take(int err, const char* call) {
  switch (err) {
    case 0:
      return LockResult::kAcquired;
    case EBUSY:
      return LockResult::kBusy;
    case EOWNERDEAD:
      // The data it guarded may be mid-update; for a counter the last whole write stands.
      ::pthread_mutex_consistent(mutex_);
      return LockResult::kRecovered;
    default:
      sys::throw_errno(call, err);
  }
}

LockResult RobustMutex::lock() { return take(::pthread_mutex_lock(mutex_), "pthread_mutex_lock"); }

LockResult RobustMutex::try_lock() {
  return take(::pthread_mutex_trylock(mutex_), "pthread_mutex_trylock");
}

void RobustMutex::unlock() { ::pthread_mutex_unlock(mutex_); }

}  // namespace shmlab
