// BenchRunner with real bench workers (the shmlab binary): a measurement whose 40-bit cell
// counters wrap still counts every operation (issue 11: `bench --duration 3600` at 375M ops/s
// wraps them after 49 minutes; here they start 1,000 below the top).
#include "shmlab/bench/bench_runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "shmlab/sync/strategy.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab {
namespace {

BenchSample measure_near_the_top(Strategy strategy, const test::TempDir& tmp) {
  BenchConfig config;
  config.workers = 2;
  config.warmup_s = 0.01;
  config.duration_s = 0.05;
  config.self_exe = test::shmlab_binary();
  config.temp_dir = tmp.path();
  config.counter_headroom = 1000;
  BenchRunner sut;
  return sut.run({BenchMode::kStrategy, strategy, BarePrimitive::kPlainStore, Backend::kShm},
                 config);
}

TEST(BenchRunner, CountsEveryOperationWhenTheCellCountersWrap) {
  for (Strategy strategy : {Strategy::kAtomic, Strategy::kCas, Strategy::kSharded}) {
    test::TempDir tmp;
    const BenchSample s = measure_near_the_top(strategy, tmp);
    // Calibration alone runs thousands of operations per worker: past the 1,000 left.
    ASSERT_GT(s.ops_total, 2000u);
    EXPECT_TRUE(s.counter_wrapped) << strategy_name(strategy);
    // A correct strategy keeps every operation: the counter's progress is all of them.
    EXPECT_EQ(s.final_value, static_cast<std::int64_t>(s.ops_total)) << strategy_name(strategy);
    EXPECT_EQ(s.lost_updates, 0) << strategy_name(strategy);
    EXPECT_TRUE(test::shm_leftovers(::getpid()).empty());
    EXPECT_TRUE(tmp.entries().empty());
  }
}

TEST(BenchRunner, NoneLosesUpdatesButNeverMoreThanItRan) {
  test::TempDir tmp;
  const BenchSample s = measure_near_the_top(Strategy::kNone, tmp);
  EXPECT_TRUE(s.counter_wrapped);
  // Without the wrap followed, lost_updates would be about 2^40 here.
  EXPECT_GE(s.lost_updates, 0);
  EXPECT_LT(s.lost_updates, static_cast<std::int64_t>(s.ops_total));
  EXPECT_TRUE(test::shm_leftovers(::getpid()).empty());
}

}  // namespace
}  // namespace shmlab
