// iteration_barrier: how the threads of a litmus test start an iteration together. Each counts
// itself in on the iteration's own barrier word and spins until all have; a spinner that waits
// long yields the CPU (IRIW runs 4 processes, and a machine may have fewer CPUs) and gives up
// when the coordinator aborts the run.
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>

#include "shmlab/sync/spin_lock.hpp"

namespace shmlab::litmus {

// Returns false when `abort` was set while waiting.
inline bool iteration_barrier(std::atomic<std::uint32_t>& arrived, std::uint32_t threads,
                              const std::atomic<std::uint32_t>& abort) {
  // acq_rel: a locked add on x86, which also drains this thread's store buffer before the test.
  arrived.fetch_add(1, std::memory_order_acq_rel);
  std::uint32_t spins = 0;
  while (arrived.load(std::memory_order_acquire) < threads) {
    if (++spins < kSpinsBeforeYield) {
      cpu_relax();
      continue;
    }
    // Relaxed: the abort flag carries no data, only "stop waiting".
    if (abort.load(std::memory_order_relaxed) != 0) return false;
    ::sched_yield();
  }
  return true;
}

}  // namespace shmlab::litmus
