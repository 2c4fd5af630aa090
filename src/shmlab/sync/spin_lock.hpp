// SpinLock: the `spinlock` strategy, a test-and-test-and-set lock on a 32-bit word in the control
// block (0 free, 1 held). Waiters spin with `pause` on a plain load, then yield the CPU: with more
// workers than cores, a holder that was preempted must get the CPU back. Nothing records the
// owner: a holder that dies leaves it held forever (the watchdog ends such a run).
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>

#include "shmlab/sync/lock.hpp"

namespace shmlab {

// The hot path is inline (see RobustMutex).
class SpinLock final : public Lock {
 public:
  // Spins of `pause` before a waiter starts yielding: about a microsecond or two, longer than a
  // critical section of a few loads and stores, far shorter than a scheduler time slice.
  static constexpr std::uint32_t kSpinsBeforeYield = 128;

  explicit SpinLock(std::atomic<std::uint32_t>* word) : word_(word) {}
  LockResult lock() override {
    std::uint32_t spins = 0;
    for (;;) {
      if (word_->exchange(1, std::memory_order_acquire) == 0) return LockResult::kAcquired;
      // Wait on a plain load, which keeps the cache line shared, instead of hammering exchange.
      // Relaxed: the acquire is on the exchange that takes the lock.
      while (word_->load(std::memory_order_relaxed) != 0) {
        if (spins < kSpinsBeforeYield) {
          ++spins;
          cpu_relax();
        } else {
          ::sched_yield();
        }
      }
    }
  }
  LockResult try_lock() override {
    if (word_->load(std::memory_order_relaxed) == 0 &&
        word_->exchange(1, std::memory_order_acquire) == 0) {
      return LockResult::kAcquired;
    }
    return LockResult::kBusy;
  }
  void unlock() override { word_->store(0, std::memory_order_release); }
  std::string_view what() const override { return "the spin lock"; }

 private:
  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
  }
  std::atomic<std::uint32_t>* word_;
};

}  // namespace shmlab
