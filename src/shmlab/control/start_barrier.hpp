// StartBarrier: how the worker processes of a run, or of one bench measurement, start together.
// It lives inside a shared block (ControlHeader, BenchHeader). Each worker counts itself in and
// sleeps on `go`, a process-shared futex; the coordinator waits for the count and opens it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "shmlab/sys/clock.hpp"
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

// How long a coordinator waits for its workers to count in. Starting is the OS's work (exec,
// loading, a sanitizer's shadow memory), seconds on a loaded machine: each arrival is progress,
// and the bound since the last one is --timeout but never shorter than kMinBoundS, so a short
// --timeout does not stop workers that are still starting.
class StartWatch {
 public:
  static constexpr double kMinBoundS = 30;

  explicit StartWatch(double timeout_s) : bound_s_(std::max(timeout_s, kMinBoundS)) {}

  // True once nobody has arrived at `barrier` for bound_s().
  bool stalled(const StartBarrier& barrier) {
    const std::int64_t now = sys::monotonic_ns();
    if (const std::uint32_t n = barrier.arrived(); n != arrived_ || last_ns_ == 0) {
      arrived_ = n;
      last_ns_ = now;
    }
    return now - last_ns_ > static_cast<std::int64_t>(bound_s_ * 1e9);
  }
  double bound_s() const { return bound_s_; }

 private:
  double bound_s_;
  std::uint32_t arrived_ = 0;
  std::int64_t last_ns_ = 0;
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(StartBarrier) == 8, "the control block's layout keeps `abort` right after it");

}  // namespace shmlab
