// SemaphoreLock: the `semaphore` strategy, a POSIX named semaphore of value 1 used as a lock. The
// coordinator creates it (LockObjects, O_EXCL, 0600, named after the run id) and unlinks it at
// cleanup; each worker sem_open()s it. A holder that dies never posts: the others wait forever
// (the watchdog ends such a run).
#pragma once

#include <string>

#include "shmlab/control/params.hpp"
#include "shmlab/sync/lock.hpp"
#include "shmlab/sys/named_semaphore.hpp"

namespace shmlab {

// "/<run id>-sem": the name of a run's semaphore.
std::string semaphore_name(const RunParams& params);

class SemaphoreLock final : public Lock {
 public:
  explicit SemaphoreLock(sys::NamedSemaphore sem) : sem_(std::move(sem)) {}
  LockResult lock() override;
  LockResult try_lock() override;
  void unlock() override;
  std::string_view what() const override { return "the semaphore"; }

 private:
  sys::NamedSemaphore sem_;
};

}  // namespace shmlab
