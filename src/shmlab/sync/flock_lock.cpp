#include "shmlab/sync/flock_lock.hpp"

#include <sys/file.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab {

LockResult FlockLock::lock() {
  sys::check("flock(LOCK_EX)", [&] { return ::flock(fd_, LOCK_EX); });
  return LockResult::kAcquired;
}

LockResult FlockLock::try_lock() {
  if (sys::retry_eintr([&] { return ::flock(fd_, LOCK_EX | LOCK_NB); }) == 0)
    return LockResult::kAcquired;
  if (errno == EWOULDBLOCK) return LockResult::kBusy;
  sys::throw_errno("flock(LOCK_EX | LOCK_NB)", errno);
}

void FlockLock::unlock() {
  sys::check("flock(LOCK_UN)", [&] { return ::flock(fd_, LOCK_UN); });
}

}  // namespace shmlab
