// CounterOp's step shapes per strategy family, on a real shm region with a recording StepContext:
// what a schedule, a trace or a crash point sees at each boundary.
#include "shmlab/scenario/counter.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

#include "shmlab/region/sqlite_region.hpp"
#include "support/shmlab_process.hpp"
#include "support/test_region.hpp"

namespace shmlab {
namespace {

class Recorder final : public StepContext {
 public:
  void enter(Step step, std::uint64_t) override { steps += static_cast<char>(step); }
  void leave(const StepEvent& e) override {
    if (!e.ok) steps += '!';
  }
  void window() override {
    if (in_window) in_window();
  }
  std::string steps;
  std::function<void()> in_window;
};

class CounterOpTest : public testing::Test {
 protected:
  CounterOp make(Strategy s) {
    p_.strategy = s;
    return CounterOp(p_, 0, *region_, nullptr, log_);
  }
  test::TestRegion shm_{test::region_params(Backend::kShm, 2, 4, "counter")};
  RunParams& p_ = shm_.params;
  std::unique_ptr<Region> region_ = attach_region(p_);
  std::vector<WriteEntry> log_ = std::vector<WriteEntry>(p_.increments);
};

TEST_F(CounterOpTest, AtomicIsOneStepAndLogsNothing) {
  CounterOp sut = make(Strategy::kAtomic);
  Recorder ctx;
  const OpOutcome out = sut.run(0, ctx);
  EXPECT_EQ(ctx.steps, "A");
  EXPECT_EQ(out.written.counter, 1);
  EXPECT_EQ(region_->read().counter, 1);
  EXPECT_EQ(log_[0].t_write_ns, 0);  // not attributable: not logged
}

TEST_F(CounterOpTest, FailedCompareAndSwapGoesBackToReadAndCountsARetry) {
  CounterOp sut = make(Strategy::kCas);
  auto other = attach_region(p_);
  Recorder ctx;
  int interference = 1;
  // Another worker's write lands inside the first window only.
  ctx.in_window = [&] {
    if (interference-- > 0) other->write({1, 2, 0, 5});
  };
  const OpOutcome out = sut.run(0, ctx);
  EXPECT_EQ(ctx.steps, "RC!RC");
  EXPECT_EQ(out.retries, 1u);
  EXPECT_EQ(region_->read().counter, 2);
  EXPECT_EQ(region_->read().write_id, write_id(0, 0, p_.increments));
  EXPECT_EQ(log_[0].based_on, 5u);  // the log names the read the successful swap was built on
  EXPECT_NE(log_[0].t_write_ns, 0);
}

TEST_F(CounterOpTest, NoneWritesWhatItReadPlusOneEvenIfThatLosesAnUpdate) {
  CounterOp sut = make(Strategy::kNone);
  auto other = attach_region(p_);
  Recorder ctx;
  ctx.in_window = [&] { other->write({1, 2, 0, 5}); };
  sut.run(0, ctx);
  EXPECT_EQ(ctx.steps, "RW");
  EXPECT_EQ(region_->read().counter, 1);  // the other write is lost
  EXPECT_EQ(sut.verify(0, region_->read(), ctx), VerifyOutcome::kUnchanged);
}

TEST_F(CounterOpTest, ShardedWorksOnTheWorkersOwnCell) {
  p_.strategy = Strategy::kSharded;
  CounterOp sut(p_, 1, *region_, nullptr, log_);
  Recorder ctx;
  sut.run(0, ctx);
  sut.run(1, ctx);
  EXPECT_EQ(ctx.steps, "RWRW");
  EXPECT_EQ(region_->read_cell(0).counter, 0);
  EXPECT_EQ(region_->read_cell(1).counter, 2);
  EXPECT_EQ(region_->total(), 2);
}

TEST(CounterOpTransaction, CommitsThroughLockReadWriteUnlock) {
  test::TestRegion db(test::region_params(Backend::kSqlite, 1, 2, "tx", Strategy::kTransaction));
  const RunParams& p = db.params;
  auto region = attach_region(p);
  std::vector<WriteEntry> log(p.increments);
  CounterOp sut(p, 0, *region, nullptr, log);
  Recorder ctx;
  sut.run(0, ctx);
  EXPECT_EQ(ctx.steps, "LRWU");
  EXPECT_EQ(region->read().counter, 1);
  EXPECT_NE(log[0].t_write_ns, 0);
}

TEST(CounterOpTransaction, AnIncrementThatStaysBusyIsAnErrorNotASkip) {
  test::TestRegion db(test::region_params(Backend::kSqlite, 2, 1, "busy", Strategy::kTransaction));
  const RunParams& p = db.params;
  auto holder = attach_region(p);
  ASSERT_TRUE(holder->begin_immediate());  // another worker holds the write lock throughout
  SqliteRegion region(p.region_path, 1, SqliteOptions{5, 0});
  std::vector<WriteEntry> log(p.increments);
  CounterOp sut(p, 1, region, nullptr, log);
  Recorder ctx;
  EXPECT_THROW(sut.run(0, ctx), std::system_error);
  EXPECT_EQ(ctx.steps, "L!L!L!L!L!");  // bounded: 5 attempts, each one reported busy
  EXPECT_EQ(log[0].t_write_ns, 0);     // nothing was written
  holder->rollback();
  EXPECT_EQ(region.read().counter, 0);
}

}  // namespace
}  // namespace shmlab
