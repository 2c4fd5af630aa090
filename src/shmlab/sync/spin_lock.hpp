// SpinLock: the `spinlock` strategy, a test-and-test-and-set lock on a 32-bit word in the control
// block (0 free, 1 held). Waiters spin with `pause` on a plain load, then yield the CPU: with more
// workers than cores, a holder that was preempted must get the CPU back. Nothing records the
// owner: a holder that dies leaves it held forever (the watchdog ends such a run).
#pragma once

#include <atomic>
#include <cstdint>

#include "shmlab/sync/lock.hpp"

namespace shmlab {

class SpinLock final : public Lock {
 public:
  explicit SpinLock(std::atomic<std::uint32_t>* word) : word_(word) {}
  LockResult lock() override;
  LockResult try_lock() override;
  void unlock() override;
  std::string_view what() const override { return "the spin lock"; }

 private:
  std::atomic<std::uint32_t>* word_;
};

}  // namespace shmlab
