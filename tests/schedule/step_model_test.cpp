// The step model explore searches: its interleavings counted by brute force against the closed
// forms, and correct strategies never losing an update in any of them.
#include "shmlab/schedule/step_model.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

namespace shmlab {
namespace {

// Every interleaving of the model: how many end at each final value.
std::map<std::int64_t, std::uint64_t> outcomes(const StepModel& m) {
  std::map<std::int64_t, std::uint64_t> out;
  std::function<void(const StepModel::State&)> walk = [&](const StepModel::State& s) {
    if (m.done(s)) {
      ++out[m.final_value(s)];
      return;
    }
    for (std::uint32_t w = 0; w < m.workers(); ++w) {
      if (!m.can_move(s, w)) continue;
      StepModel::State next = s;
      m.move(next, w);
      walk(next);
    }
  };
  walk(m.initial());
  return out;
}

std::uint64_t total(const std::map<std::int64_t, std::uint64_t>& h) {
  std::uint64_t n = 0;
  for (const auto& [v, c] : h) n += c;
  return n;
}

TEST(StepModel, NoneTwoByThreeHas924Interleavings) {
  const StepModel sut(Strategy::kNone, 2, 3);
  const auto h = outcomes(sut);
  EXPECT_EQ(total(h), 924u);  // C(12, 6): two sequences of 6 steps merged
  EXPECT_EQ(h.begin()->first, 2);
  EXPECT_EQ(h.rbegin()->first, 6);
}

TEST(StepModel, MutexOperationsDoNotInterleave) {
  const StepModel sut(Strategy::kMutex, 2, 2);
  const auto h = outcomes(sut);
  EXPECT_EQ(total(h), 6u);  // C(4, 2): only whole operations are ordered
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->first, 4);
}

TEST(StepModel, CorrectStrategiesEndAtExpectedInEveryInterleaving) {
  for (Strategy s : {Strategy::kMutex, Strategy::kSpinlock, Strategy::kAtomic, Strategy::kCas,
                     Strategy::kSharded, Strategy::kTransaction}) {
    for (const auto& [workers, increments] : {std::pair{2u, 2u}, std::pair{3u, 1u}}) {
      const StepModel sut(s, workers, increments);
      const auto h = outcomes(sut);
      ASSERT_EQ(h.size(), 1u) << static_cast<int>(s);
      EXPECT_EQ(h.begin()->first, workers * increments) << static_cast<int>(s);
    }
  }
}

TEST(StepModel, FailedCasGoesBackToRead) {
  const StepModel sut(Strategy::kCas, 2, 1);
  StepModel::State s = sut.initial();
  ASSERT_TRUE(sut.apply(s, {1, Step::kRead}));
  ASSERT_TRUE(sut.apply(s, {2, Step::kRead}));
  ASSERT_TRUE(sut.apply(s, {1, Step::kCas}));
  ASSERT_TRUE(sut.apply(s, {2, Step::kCas}));  // fails: worker 1 changed the counter
  EXPECT_EQ(sut.next_step(s, 1), Step::kRead);
  EXPECT_FALSE(sut.apply(s, {2, Step::kCas}));
  sut.run_tail(s);
  EXPECT_EQ(sut.final_value(s), 2);
}

TEST(StepModel, LockHeldByAnotherBlocksL) {
  const StepModel sut(Strategy::kMutex, 2, 1);
  StepModel::State s = sut.initial();
  ASSERT_TRUE(sut.apply(s, {1, Step::kLock}));
  EXPECT_FALSE(sut.can_move(s, 1));
  EXPECT_FALSE(sut.apply(s, {2, Step::kLock}));
}

TEST(StepModel, TailRunsWorkerByWorker) {
  const StepModel sut(Strategy::kNone, 2, 1);
  StepModel::State s = sut.initial();
  ASSERT_TRUE(sut.apply(s, {2, Step::kRead}));
  std::vector<ScheduleToken> tail;
  sut.run_tail(s, &tail);
  EXPECT_EQ(format_schedule(tail), "1R 1W 2W");
  EXPECT_EQ(sut.final_value(s), 1);
}

}  // namespace
}  // namespace shmlab
