#include "shmlab/sync/semaphore_lock.hpp"

#include <fmt/format.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab {

std::string semaphore_name(const RunParams& params) {
  return fmt::format("/{}-sem", params.run_id);
}

LockResult SemaphoreLock::lock() {
  sys::check("sem_wait", sem_.name(), [&] { return ::sem_wait(sem_.get()); });
  return LockResult::kAcquired;
}

LockResult SemaphoreLock::try_lock() {
  if (sys::retry_eintr([&] { return ::sem_trywait(sem_.get()); }) == 0)
    return LockResult::kAcquired;
  if (errno == EAGAIN) return LockResult::kBusy;
  sys::throw_errno(sys::call_name("sem_trywait", sem_.name()), errno);
}

void SemaphoreLock::unlock() {
  sys::check("sem_post", sem_.name(), [&] { return ::sem_post(sem_.get()); });
}

}  // namespace shmlab
