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

// Spins of `pause` before a waiter starts yielding: about a microsecond or two, longer than a
// critical section of a few loads and stores, far shorter than a scheduler time slice.
inline constexpr std::uint32_t kSpinsBeforeYield = 128;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// The spin lock's acquisition and waiting policy, on any word: SpinLock uses it, and so does the
// bench's bare spinlock loop, so that the two compare the harness and not two waiting policies.
inline void spin_acquire(std::atomic<std::uint32_t>& word) {
  std::uint32_t spins = 0;
  for (;;) {
    if (word.exchange(1, std::memory_order_acquire) == 0) return;
    // Wait on a plain load, which keeps the cache line shared, instead of hammering exchange.
    // Relaxed: the acquire is on the exchange that takes the lock.
    while (word.load(std::memory_order_relaxed) != 0) {
      if (spins < kSpinsBeforeYield) {
        ++spins;
        cpu_relax();
      } else {
        ::sched_yield();
      }
    }
  }
}

// The hot path is inline (see RobustMutex).
class SpinLock final : public Lock {
 public:
  explicit SpinLock(std::atomic<std::uint32_t>* word) : word_(word) {}
  LockResult lock() override {
    spin_acquire(*word_);
    return LockResult::kAcquired;
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
  std::atomic<std::uint32_t>* word_;
};

}  // namespace shmlab
