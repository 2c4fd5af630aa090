// The bench's statistics: percentiles over repetitions, the latency histogram, a row's summary.
#include "shmlab/analysis/bench_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "shmlab/control/latency_histogram.hpp"

namespace shmlab {
namespace {

TEST(Percentile, MedianOfAnOddCountIsTheMiddleValue) {
  const std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(percentile(v, 0.5), 3);
}

TEST(Percentile, MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo) {
  const std::vector<double> v = {10, 40, 20, 30};
  EXPECT_DOUBLE_EQ(percentile(v, 0.5), 25);
}

TEST(Percentile, InterpolatesBetweenClosestRanks) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(percentile(v, 0.1), 1.4);
  EXPECT_DOUBLE_EQ(percentile(v, 0.9), 4.6);
  EXPECT_DOUBLE_EQ(percentile(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(percentile(v, 1.0), 5);
}

TEST(Percentile, OfOneValueIsThatValue) {
  const std::vector<double> v = {7};
  EXPECT_DOUBLE_EQ(percentile(v, 0.1), 7);
  EXPECT_DOUBLE_EQ(percentile(v, 0.9), 7);
}

BenchSummary with_rates(std::vector<double> rates) {
  std::vector<BenchSample> samples;
  for (double r : rates) samples.push_back({.ops_per_s = r});
  return summarize(samples);
}

TEST(PairedRatios, EachRepetitionAgainstItsOwnNeighbour) {
  // The machine slowed both down in the second repetition: each pair still says 1/2 and 2.
  const auto sut = paired_ratios(with_rates({100, 10, 400}), with_rates({200, 5, 200}));
  ASSERT_EQ(sut.size(), 3u);
  EXPECT_DOUBLE_EQ(sut[0], 0.5);
  EXPECT_DOUBLE_EQ(sut[1], 2.0);
  EXPECT_DOUBLE_EQ(sut[2], 2.0);
}

TEST(PairedRatios, NoneWithoutAReferenceForEveryRepetition) {
  EXPECT_TRUE(paired_ratios(with_rates({1, 2}), std::nullopt).empty());
  EXPECT_TRUE(paired_ratios(with_rates({1, 2}), with_rates({1})).empty());
  EXPECT_TRUE(paired_ratios(with_rates({1, 2}), with_rates({1, 0})).empty());
}

TEST(BarePrimitiveFor, OnPostgresEachSqlStrategyIsPgbenchsAndTheRestHaveNone) {
  EXPECT_EQ(bare_primitive_for(Strategy::kAtomic, Backend::kPostgres),
            BarePrimitive::kPgbenchUpdate);
  EXPECT_EQ(bare_primitive_for(Strategy::kForUpdate, Backend::kPostgres),
            BarePrimitive::kPgbenchForUpdate);
  EXPECT_EQ(bare_primitive_for(Strategy::kCas, Backend::kPostgres), BarePrimitive::kPgbenchCas);
  EXPECT_EQ(bare_primitive_for(Strategy::kTransaction, Backend::kPostgres),
            BarePrimitive::kPgbenchTransaction);
  EXPECT_EQ(bare_primitive_for(Strategy::kAdvisory, Backend::kPostgres),
            BarePrimitive::kPgbenchAdvisory);
  for (Strategy s : {Strategy::kNone, Strategy::kMutex})
    EXPECT_FALSE(bare_primitive_for(s, Backend::kPostgres).has_value());
}

TEST(Percentile, OfNothingThrows) {
  EXPECT_THROW(percentile(std::vector<double>{}, 0.5), std::invalid_argument);
}

TEST(LatencyHistogram, BucketsAreWithinFivePercentOfTheValue) {
  for (double ns : {0.5, 1.0, 3.3, 17.0, 250.0, 4'096.0, 1e6, 3.7e9}) {
    const double back = LatencyHistogram::value_of(LatencyHistogram::bucket_of(ns));
    EXPECT_NEAR(back, ns, ns * 0.05) << ns;
  }
}

TEST(LatencyHistogram, BucketsGrowWithTheValue) {
  int last = -1;
  for (double ns = 0.3; ns < 1e10; ns *= 1.3) {
    const int b = LatencyHistogram::bucket_of(ns);
    EXPECT_GE(b, last) << ns;
    last = b;
  }
}

TEST(LatencyHistogram, QuantilesWeighOperationsNotBatches) {
  LatencyHistogram sut;
  sut.add(10, 1'000);  // one batch of 1000 operations at 10 ns each
  sut.add(1'000, 5);   // five slow operations
  sut.add(1'000, 5);
  EXPECT_EQ(sut.total(), 1'010u);
  EXPECT_NEAR(sut.quantile(0.5), 10, 0.5);
  EXPECT_NEAR(sut.quantile(0.99), 10, 0.5);
  EXPECT_NEAR(sut.quantile(0.995), 1'000, 50);
}

TEST(LatencyHistogram, MergeAddsCounts) {
  LatencyHistogram a;
  LatencyHistogram b;
  a.add(100, 3);
  b.add(100, 4);
  b.add(1e5, 1);
  a.merge(b);
  EXPECT_EQ(a.total(), 8u);
  EXPECT_NEAR(a.quantile(1.0), 1e5, 5e3);
}

TEST(LatencyHistogram, EmptyQuantileIsZero) { EXPECT_EQ(LatencyHistogram{}.quantile(0.5), 0); }

BenchSample sample(double ops, std::int64_t lost, double lock_share) {
  BenchSample s;
  s.ops_per_s = ops;
  s.p50_ns = 1e9 / ops;
  s.p99_ns = 2e9 / ops;
  s.lost_updates = lost;
  s.lock_wait_share = lock_share;
  s.ops_measured = 1000;
  s.retries = 10;
  return s;
}

TEST(Summarize, ReportsTheMedianAndTheSpreadOfThroughput) {
  const std::vector<BenchSample> reps = {sample(100, 0, 0.2), sample(300, 0, 0.4),
                                         sample(200, 0, 0.3)};
  const BenchSummary sut = summarize(reps);
  EXPECT_EQ(sut.repetitions, 3u);
  EXPECT_DOUBLE_EQ(sut.ops_per_s, 200);
  EXPECT_DOUBLE_EQ(sut.ops_per_s_p10, 120);
  EXPECT_DOUBLE_EQ(sut.ops_per_s_p90, 280);
  EXPECT_DOUBLE_EQ(sut.p50_ns, 1e9 / 200);
  ASSERT_TRUE(sut.lock_wait_share.has_value());
  EXPECT_DOUBLE_EQ(*sut.lock_wait_share, 0.3);
  EXPECT_DOUBLE_EQ(sut.retries_per_op, 0.01);
}

TEST(Summarize, LostUpdatesAreTheWorstRepetition) {
  const std::vector<BenchSample> reps = {sample(1, 0, -1), sample(1, 7, -1), sample(1, 2, -1)};
  EXPECT_EQ(summarize(reps).lost_updates, 7);
}

TEST(Summarize, NoLockWaitShareWithoutALock) {
  const std::vector<BenchSample> reps = {sample(1, 0, -1), sample(2, 0, -1)};
  EXPECT_FALSE(summarize(reps).lock_wait_share.has_value());
}

TEST(RatioToBare, DividesThroughputs) {
  BenchSummary strategy;
  strategy.ops_per_s = 90;
  BenchSummary bare;
  bare.ops_per_s = 100;
  const auto r = ratio_to_bare(strategy, bare);
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(*r, 0.9);
}

TEST(RatioToBare, NoneWithoutABareLoopOrWhenItDidNothing) {
  BenchSummary strategy;
  strategy.ops_per_s = 90;
  EXPECT_FALSE(ratio_to_bare(strategy, std::nullopt).has_value());
  EXPECT_FALSE(ratio_to_bare(strategy, BenchSummary{}).has_value());
}

TEST(BarePrimitiveFor, EveryStrategyOffSqliteHasOne) {
  for (Strategy s : {Strategy::kNone, Strategy::kMutex, Strategy::kSpinlock, Strategy::kSemaphore,
                     Strategy::kFlock, Strategy::kOfd}) {
    EXPECT_TRUE(bare_primitive_for(s, Backend::kFile).has_value());
  }
  EXPECT_EQ(bare_primitive_for(Strategy::kAtomic, Backend::kShm), BarePrimitive::kAtomicAdd);
  EXPECT_EQ(bare_primitive_for(Strategy::kMutex, Backend::kShm), BarePrimitive::kRobustMutex);
  EXPECT_FALSE(bare_primitive_for(Strategy::kTransaction, Backend::kSqlite).has_value());
}

}  // namespace
}  // namespace shmlab
