// RobustMutex: the `mutex` strategy, a PTHREAD_PROCESS_SHARED | PTHREAD_MUTEX_ROBUST mutex in the
// control block (initialised by the coordinator). When its owner dies holding it, the next
// locker gets EOWNERDEAD, marks it consistent and reports kRecovered.
#pragma once

#include <pthread.h>

#include <cerrno>

#include "shmlab/sync/lock.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab {

// The hot path is inline: `final` and visible, a call through a RobustMutex& costs what the
// pthread call costs (`shmlab bench` measures it against the bare mutex).
class RobustMutex final : public Lock {
 public:
  explicit RobustMutex(pthread_mutex_t* mutex) : mutex_(mutex) {}
  LockResult lock() override { return take(::pthread_mutex_lock(mutex_), "pthread_mutex_lock"); }
  LockResult try_lock() override {
    return take(::pthread_mutex_trylock(mutex_), "pthread_mutex_trylock");
  }
  void unlock() override { ::pthread_mutex_unlock(mutex_); }
  std::string_view what() const override { return "the mutex"; }

 private:
  LockResult take(int err, const char* call) {
    if (err == 0) [[likely]]
      return LockResult::kAcquired;
    if (err == EBUSY) return LockResult::kBusy;
    // The data it guarded may be mid-update; for a counter the last whole write stands.
    if (err == EOWNERDEAD) return recover();
    sys::throw_errno(call, err);
  }
  LockResult recover();
  pthread_mutex_t* mutex_;
};

}  // namespace shmlab
