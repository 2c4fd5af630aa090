#include "shmlab/sync/spin_lock.hpp"

#include <sched.h>

namespace shmlab {
namespace {

// Spins of `pause` before a waiter starts yielding: about a microsecond or two, longer than a
// critical section of a few loads and stores, far shorter than a scheduler time slice.
constexpr std::uint32_t kSpinsBeforeYield = 128;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace

LockResult SpinLock::lock() {
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

LockResult SpinLock::try_lock() {
  if (word_->load(std::memory_order_relaxed) == 0 &&
      word_->exchange(1, std::memory_order_acquire) == 0) {
    return LockResult::kAcquired;
  }
  return LockResult::kBusy;
}

void SpinLock::unlock() { word_->store(0, std::memory_order_release); }

}  // namespace shmlab
