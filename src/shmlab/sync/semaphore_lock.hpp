// SemaphoreLock: the `semaphore` strategy, a POSIX named semaphore of value 1 used as a lock. The
// coordinator creates it (LockObjects, O_EXCL, 0600, named after the run id) and unlinks it at
// cleanup; each worker sem_open()s it. A holder that dies never posts: the others wait forever
// (the watchdog ends such a run).
#pragma once

#include <string>

#include "shmlab/control/params.hpp"
#include "shmlab/sync/lock.hpp"
#include "shmlab/sys/named_semaphore.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab {

// "/<run id>-sem": the name of a run's semaphore.
std::string semaphore_name(const RunParams& params);

class SemaphoreLock final : public Lock {
 public:
  explicit SemaphoreLock(sys::NamedSemaphore sem) : sem_(std::move(sem)) {}
  // The hot path is inline (see RobustMutex); the error message is built only on failure.
  LockResult lock() override {
    sys::check("sem_wait", sem_.name(), [&] { return ::sem_wait(sem_.get()); });
    return LockResult::kAcquired;
  }
  LockResult try_lock() override {
    if (sys::retry_eintr([&] { return ::sem_trywait(sem_.get()); }) == 0)
      return LockResult::kAcquired;
    if (errno == EAGAIN) return LockResult::kBusy;
    sys::throw_errno("sem_trywait", sem_.name(), errno);
  }
  void unlock() override {
    sys::check("sem_post", sem_.name(), [&] { return ::sem_post(sem_.get()); });
  }
  std::string_view what() const override { return "the semaphore"; }

 private:
  sys::NamedSemaphore sem_;
};

}  // namespace shmlab
