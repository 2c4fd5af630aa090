// WrappingCounter: the bench's 40-bit region counter followed through its wraps.
#include "shmlab/bench/bench_counter.hpp"

#include <gtest/gtest.h>

#include "shmlab/region/memory_cells.hpp"

namespace shmlab {
namespace {

constexpr std::int64_t kRange = std::int64_t{1} << kCounterBits;

TEST(WrappingCounter, CountsPastTheFortyBitRangeOfARegionCell) {
  WrappingCounter sut(kCounterBits);
  // What a 49-minute `bench --duration 3600` at 375M ops/s reads every 100 ms, in three samples:
  // half-way, just below the top, and past the wrap.
  sut.update((std::uint64_t{1} << 39) - 1);
  sut.update(kCounterMask - 10);
  const std::int64_t total = sut.update(pack_word(5, 0));
  EXPECT_EQ(total, kRange + 5);
  // A word whose counter carried into the write-id bits (fetch_add at the top) reads the same.
  EXPECT_EQ(sut.update((std::uint64_t{1} << kCounterBits) | 7), kRange + 7);
}

TEST(WrappingCounter, KeepsCountingAcrossManyWraps) {
  WrappingCounter sut(kCounterBits);
  std::int64_t truth = 0;
  for (int i = 0; i < 10; ++i) {
    truth += kRange / 3;
    sut.update(static_cast<std::uint64_t>(truth));  // only the low 40 bits survive in the cell
  }
  EXPECT_EQ(sut.total(), truth);
  EXPECT_GT(sut.total(), 3 * kRange);
}

TEST(WrappingCounter, AStaleWriteUnderNoneStepsBackEvenAcrossTheWrap) {
  WrappingCounter sut(kCounterBits);
  sut.update(100);
  EXPECT_EQ(sut.update(90), 90);  // a worker wrote an old value + 1 over a newer one
  sut.update(90 + (std::uint64_t{1} << 39) - 1);  // forward, less than half the range at a time
  sut.update(kCounterMask - 1);
  sut.update(3);  // wrapped
  EXPECT_EQ(sut.total(), kRange + 3);
  EXPECT_EQ(sut.update(kCounterMask), kRange - 1);  // back across the wrap by 4
}

TEST(WrappingCounter, SmallCounterWrapsTheSameWay) {
  WrappingCounter sut(8);
  for (int i = 1; i <= 1000; ++i) sut.update(static_cast<std::uint64_t>(i) & 0xff);
  EXPECT_EQ(sut.total(), 1000);
}

TEST(WrappingCounter, StartedNearTheTopCountsProgressAndSaysItWrapped) {
  WrappingCounter sut(kCounterBits, kCounterMask - 2);
  EXPECT_FALSE(sut.wrapped());
  EXPECT_EQ(sut.update(kCounterMask), 2);
  EXPECT_FALSE(sut.wrapped());
  EXPECT_EQ(sut.update(4), 7);
  EXPECT_TRUE(sut.wrapped());
}

}  // namespace
}  // namespace shmlab
