// LockWaitSampler with a fake lock: which acquisitions it samples, that an uncontended one counts
// no wait, that a contended one counts its blocked time for the whole batch, capped at the batch.
// Every wait here is a sleep of a known minimum length, so nothing depends on timing luck.
#include "shmlab/bench/lock_wait_sampler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

namespace shmlab {
namespace {

using std::chrono::milliseconds;

// Busy or free as the test says; lock() sleeps `block` when busy (the wait), returns at once else.
struct FakeLock {
  bool busy = false;
  milliseconds block{0};
  int try_locks = 0;
  int locks = 0;

  LockResult try_lock() {
    ++try_locks;
    return busy ? LockResult::kBusy : LockResult::kAcquired;
  }
  LockResult lock() {
    ++locks;
    if (busy) std::this_thread::sleep_for(block);
    return LockResult::kAcquired;
  }
};

constexpr std::int64_t kMs = 1'000'000;

TEST(LockWaitSampler, SamplesExactlyOneAcquisitionPerBatchAndLocksTheOthersPlainly) {
  // Spread over the batch, not always its first operation.
  LockWaitSampler spread(9);
  std::set<std::uint64_t> positions;
  for (int i = 0; i < 200; ++i) positions.insert(spread.start_batch(8));
  EXPECT_EQ(positions.size(), 8u);

  LockWaitSampler s(42);
  FakeLock l;
  for (std::uint64_t ops : {1u, 7u, 1000u}) {
    l.try_locks = l.locks = 0;
    const std::uint64_t sampled = s.start_batch(ops);
    ASSERT_LT(sampled, ops);
    for (std::uint64_t i = 0; i < ops; ++i) s.acquire(l, i == sampled);
    s.end_batch(1'000'000'000);
    EXPECT_EQ(l.try_locks, 1) << ops;  // the sample tries first, and takes it
    EXPECT_EQ(l.locks, static_cast<int>(ops) - 1) << ops;
  }
}

TEST(LockWaitSampler, AnUncontendedAcquisitionWaitsForNothing) {
  LockWaitSampler s(1);
  FakeLock l;
  for (int batch = 0; batch < 10; ++batch) {
    const std::uint64_t sampled = s.start_batch(64);
    for (std::uint64_t i = 0; i < 64; ++i) s.acquire(l, i == sampled);
    s.end_batch(1'000'000'000);
  }
  EXPECT_EQ(s.total_ns(), 0u);
}

TEST(LockWaitSampler, AContendedSampleCountsForTheWholeBatch) {
  LockWaitSampler s(7);
  FakeLock l{.busy = true, .block = milliseconds(2)};
  EXPECT_EQ(s.start_batch(1), 0u);
  s.acquire(l, true);
  s.end_batch(1'000 * kMs);
  const std::uint64_t one = s.total_ns();
  EXPECT_GE(one, static_cast<std::uint64_t>(1 * kMs)) << "slept 2 ms behind the holder";

  // A batch of 3 whose sampled acquisition waits 2 ms stands for 3 such waits.
  s.reset();
  const std::uint64_t sampled = s.start_batch(3);
  for (std::uint64_t i = 0; i < 3; ++i) s.acquire(l, i == sampled);
  s.end_batch(1'000 * kMs);
  EXPECT_GE(s.total_ns(), static_cast<std::uint64_t>(5 * kMs));
}

TEST(LockWaitSampler, ABatchNeverWaitsLongerThanItLasted) {
  LockWaitSampler s(3);
  FakeLock l{.busy = true, .block = milliseconds(2)};
  const std::uint64_t sampled = s.start_batch(10);  // its sample waits ≥ 2 ms and stands for 10
  for (std::uint64_t i = 0; i < 10; ++i) s.acquire(l, i == sampled);
  s.end_batch(5 * kMs);  // but the batch is said to have lasted 5 ms
  EXPECT_EQ(s.total_ns(), static_cast<std::uint64_t>(5 * kMs));
}

TEST(LockWaitSampler, MeasuredWaitsAddUpAndResetStartsOver) {
  LockWaitSampler s(5);
  s.start_batch(2);
  s.add_measured(300);
  s.add_measured(-5);  // a clock that went nowhere counts nothing
  s.add_measured(200);
  s.end_batch(1'000'000);
  EXPECT_EQ(s.total_ns(), 500u);
  s.reset();
  EXPECT_EQ(s.total_ns(), 0u);
}

}  // namespace
}  // namespace shmlab
