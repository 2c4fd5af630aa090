// RobustMutex: the `mutex` strategy, a PTHREAD_PROCESS_SHARED | PTHREAD_MUTEX_ROBUST mutex in the
// control block (initialised by the coordinator). When its owner dies holding it, the next
// locker gets EOWNERDEAD, marks it consistent and reports kRecovered.
#pragma once

#include <pthread.h>

#include "shmlab/sync/lock.hpp"

namespace shmlab {

class RobustMutex final : public Lock {
 public:
  explicit RobustMutex(pthread_mutex_t* mutex) : mutex_(mutex) {}
  LockResult lock() override;
  LockResult try_lock() override;
  void unlock() override;
  std::string_view what() const override { return "the mutex"; }

 private:
  LockResult take(int err, const char* call);
  pthread_mutex_t* mutex_;
};

}  // namespace shmlab
