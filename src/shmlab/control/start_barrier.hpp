// StartBarrier: how the worker processes of a run, or of one bench measurement, start together.
// It lives inside a shared block (ControlHeader, BenchHeader). Each worker counts itself in and
// sleeps on `go`, a process-shared futex; the coordinator waits for the count and opens it.
#pragma once

#include <atomic>
#include <cstdint>

#include "shmlab/sys/futex.hpp"

namespace shmlab {

struct StartBarrier {
  std::atomic<std::uint32_t> ready{0};
  std::atomic<std::uint32_t> go{0};

  // A worker counts itself in; one that failed before the start does too, so that nobody waits
  // for it.
  void arrive() { ready.fetch_add(1, std::memory_order_acq_rel); }
  // A worker sleeps until the barrier is open.
  void wait() {
    while (go.load(std::memory_order_acquire) == 0) sys::futex_wait(go, 0, -1);
  }
  void arrive_and_wait() {
    arrive();
    wait();
  }

  std::uint32_t arrived() const { return ready.load(std::memory_order_acquire); }
  bool is_open() const { return go.load(std::memory_order_acquire) != 0; }
  // The coordinator lets every worker go (also to stop them, when a run ends before its start).
  void open() {
    go.store(1, std::memory_order_release);
    sys::futex_wake_all(go);
  }
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(StartBarrier) == 8, "the control block's layout keeps `abort` right after it");

}  // namespace shmlab
