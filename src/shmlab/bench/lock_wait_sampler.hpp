// LockWaitSampler: how a `shmlab bench` worker estimates the time it waits for a lock without a
// clock read per operation. Once per batch, at an operation drawn at random, the acquisition is
// sampled: try_lock first (an uncontended acquisition waits for nothing: its cost is the
// primitive's), and only when the lock is taken is the blocking lock() timed. The sample stands
// for the whole batch, capped at the batch's own duration; every other acquisition is a plain
// lock(), as in the bare loop. The caller runs the batch in three parts around the sampled
// operation, so that the others carry no counter or test of their own (a store before a locked
// instruction would cost them a few nanoseconds).
#pragma once

#include <cstdint>
#include <utility>

#include "shmlab/sync/lock.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {

class LockWaitSampler {
 public:
  // `seed` draws the sampled operations; the clock's own cost is measured once here.
  explicit LockWaitSampler(std::uint64_t seed);

  // At the start of a batch of `ops` operations (ops > 0): returns the index of the one to sample.
  std::uint64_t start_batch(std::uint64_t ops);
  // At its end: adds the batch's estimate, at most `batch_ns`, to total_ns().
  void end_batch(std::int64_t batch_ns);
  // A wait measured elsewhere (SQLite's BEGIN IMMEDIATE times every one itself).
  void add_measured(std::int64_t ns);
  std::uint64_t total_ns() const { return total_ns_; }
  void reset() { total_ns_ = 0; }

  // Takes `lock` (a concrete Lock type, so that its lock() inlines); `sampled` is true for the
  // operation start_batch named, a constant at each of the caller's call sites.
  template <class L>
  void acquire(L& lock, bool sampled) {
    if (sampled) [[unlikely]]
      return acquire_sampled(lock);
    lock.lock();
  }

 private:
  template <class L>
  [[gnu::noinline]] void acquire_sampled(L& lock) {
    if (lock.try_lock() != LockResult::kBusy) return;
    const std::int64_t t0 = sys::monotonic_ns();
    lock.lock();
    const std::int64_t waited = sys::monotonic_ns() - t0 - clock_cost_ns_;
    if (waited > 0) batch_wait_ns_ += static_cast<std::uint64_t>(waited) * weight_;
  }
  std::uint64_t next_random();

  std::uint64_t weight_ = 0;  // operations the sample stands for
  std::uint64_t batch_wait_ns_ = 0;
  std::uint64_t total_ns_ = 0;
  std::int64_t clock_cost_ns_ = 0;  // of one timing (two clock reads), taken off each sample
  std::uint64_t rng_;
};

}  // namespace shmlab
