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
  void SetUp() override {
    p_.workers = 2;
    p_.increments = 4;
    p_.backend = Backend::kShm;
    const std::string id = "shmlab-" + std::to_string(::getpid()) + "-counter";
    std::strncpy(p_.run_id, id.c_str(), sizeof(p_.run_id) - 1);
    store_ = create_region(p_, tmp_.path());
    region_ = attach_region(p_);
    log_.resize(p_.increments);
  }
  CounterOp make(Strategy s) {
    p_.strategy = s;
    return CounterOp(p_, 0, *region_, nullptr, log_);
  }
  test::TempDir tmp_;
  RunParams p_;
  std::unique_ptr<RegionStore> store_;
  std::unique_ptr<Region> region_;
  std::vector<WriteEntry> log_;
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
  test::TempDir tmp;
  RunParams p;
  p.workers = 1;
  p.increments = 2;
  p.backend = Backend::kSqlite;
  p.strategy = Strategy::kTransaction;
  std::strncpy(p.run_id, "shmlab-test-tx", sizeof(p.run_id) - 1);
  auto store = create_region(p, tmp.path());
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
  test::TempDir tmp;
  RunParams p;
  p.workers = 2;
  p.increments = 1;
  p.backend = Backend::kSqlite;
  p.strategy = Strategy::kTransaction;
  std::strncpy(p.run_id, "shmlab-test-busy", sizeof(p.run_id) - 1);
  auto store = create_region(p, tmp.path());
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
