// WorkerPool driven directly: schedules with known outcomes run one after another on the same
// processes (a reset that missed anything would show in the next outcome), and a pool worker
// killed between two interleavings gives that interleaving up and is replaced by a new pool.
#include "shmlab/explore/worker_pool.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "shmlab/region/backend.hpp"
#include "shmlab/schedule/schedule.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

CoordinatorOptions pool_options(const TempDir& tmp, Backend backend, Strategy strategy) {
  CoordinatorOptions o;
  o.params.workers = 2;
  o.params.increments = 1;
  o.params.backend = backend;
  o.params.strategy = strategy;
  o.params.quiet = true;
  o.params.log_stderr = true;
  o.self_exe = shmlab_binary();
  o.temp_dir = tmp.path();
  o.timeout_s = 10;
  return o;
}

// By name: the test's name and ctest's then read "file", not the enum's bytes.
class WorkerPool_test : public ::testing::TestWithParam<std::string> {};

TEST_P(WorkerPool_test, KnownOutcomesRepeatOnTheSameProcesses) {
  TempDir tmp;
  WorkerPool sut(pool_options(tmp, *parse_backend(GetParam()), Strategy::kNone));
  // 2 x 1 under none: both read 0 and one update is lost (1), or one after the other (2).
  const auto lost = parse_schedule("1R 2R 1W 2W");
  const auto serial = parse_schedule("1R 1W 2R 2W");
  std::vector<pid_t> pids;
  for (int i = 0; i < 10; ++i) {
    const PoolRun a = sut.run(i % 2 == 0 ? lost : serial);
    ASSERT_TRUE(a.ok) << a.why;
    EXPECT_EQ(a.measure, i % 2 == 0 ? 1 : 2) << "interleaving " << i;
    if (i == 0) pids = sut.worker_pids();
  }
  EXPECT_EQ(sut.starts(), 1u);
  EXPECT_EQ(sut.worker_pids(), pids);
  EXPECT_EQ(pids.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkerPool_test,
                         ::testing::Values("file", "mmap", "shm", "sqlite"),
                         [](const auto& i) { return i.param; });

TEST(WorkerPool, KilledWorkerGivesItsInterleavingUpAndANewPoolTakesOver) {
  TempDir tmp;
  WorkerPool sut(pool_options(tmp, Backend::kShm, Strategy::kMutex));
  const auto schedule = parse_schedule("1L 1R 1W 1U 2L 2R 2W 2U");
  ASSERT_TRUE(sut.run(schedule).ok);
  const std::vector<pid_t> first = sut.worker_pids();
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(::kill(first[1], SIGKILL), 0);
  const PoolRun failed = sut.run(schedule);
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.why.find("KILL"), std::string::npos) << failed.why;
  EXPECT_TRUE(sut.worker_pids().empty());  // torn down with everything it created
  EXPECT_TRUE(tmp.entries().empty());
  const PoolRun again = sut.run(schedule);
  ASSERT_TRUE(again.ok) << again.why;
  EXPECT_EQ(again.measure, 2);
  EXPECT_EQ(sut.starts(), 2u);
  EXPECT_NE(sut.worker_pids(), first);
}

TEST(WorkerPool, StuckWorkerGivesItsInterleavingUpAfterTheTimeoutAndANewPoolTakesOver) {
  TempDir tmp;
  CoordinatorOptions o = pool_options(tmp, Backend::kFile, Strategy::kNone);
  // The bound of every interleaving of this pool, the two that must end within it too: a few
  // process hand-offs, far below 3 s even under a sanitizer at load 8 (0.5 s was not).
  o.timeout_s = 3;
  WorkerPool sut(o);
  const auto schedule = parse_schedule("1R 2R 1W 2W");
  ASSERT_TRUE(sut.run(schedule).ok);
  const std::vector<pid_t> first = sut.worker_pids();
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(::kill(first[0], SIGSTOP), 0);  // alive, never reaches its next step
  const PoolRun failed = sut.run(schedule);
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.why.find("did not end within"), std::string::npos) << failed.why;
  EXPECT_TRUE(tmp.entries().empty());  // the stopped worker was killed, everything removed
  const PoolRun again = sut.run(schedule);
  ASSERT_TRUE(again.ok) << again.why;
  EXPECT_EQ(again.measure, 1);
  EXPECT_EQ(sut.starts(), 2u);
}

TEST(WorkerPool, NothingIsLeftAfterThePoolGoes) {
  TempDir tmp;
  {
    WorkerPool sut(pool_options(tmp, Backend::kSqlite, Strategy::kTransaction));
    // Worker 1's transaction, then the tail runs worker 2's: both committed.
    const PoolRun r = sut.run(parse_schedule("1L 1R 1W 1U"));
    ASSERT_TRUE(r.ok) << r.why;
    EXPECT_EQ(r.measure, 2);
    EXPECT_FALSE(tmp.entries().empty());  // the pool's run directory, while it lives
  }
  EXPECT_TRUE(tmp.entries().empty());
  EXPECT_TRUE(shm_leftovers(::getpid()).empty());
}

}  // namespace
}  // namespace shmlab::test
