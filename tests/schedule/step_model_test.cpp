// The step model explore searches: its interleavings counted by brute force against the closed
// forms, and correct strategies never losing an update in any of them.
#include "shmlab/schedule/step_model.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

namespace shmlab {
namespace {

// Calls `end` with the last state of every interleaving of the model.
void for_each_end(const StepModel& m, const std::function<void(const StepModel::State&)>& end) {
  std::function<void(const StepModel::State&)> walk = [&](const StepModel::State& s) {
    if (m.done(s) || m.deadlocked(s)) {
      end(s);
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
}

// Every interleaving of the model: how many end at each final value.
std::map<std::int64_t, std::uint64_t> outcomes(const StepModel& m) {
  std::map<std::int64_t, std::uint64_t> out;
  for_each_end(m, [&](const StepModel::State& s) { ++out[m.final_value(s)]; });
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

// postgres `transaction` and `for-update` on the counter: the server's transactions.
RunParams postgres_counter(Strategy strategy, Isolation isolation) {
  RunParams p;
  p.backend = Backend::kPostgres;
  p.strategy = strategy;
  p.isolation = isolation;
  p.workers = 2;
  p.increments = 1;
  return p;
}

struct ServerOutcomes {
  std::map<std::int64_t, std::uint64_t> finals;  // interleavings by final value
  std::uint64_t aborted = 0;                     // interleavings in which the server aborted one
  std::uint64_t aborts = 0;                      // aborts in all
};

ServerOutcomes server_outcomes(const StepModel& m) {
  ServerOutcomes out;
  for_each_end(m, [&](const StepModel::State& s) {
    EXPECT_FALSE(m.deadlocked(s));  // one row: its holder can always go on
    ++out.finals[m.final_value(s)];
    out.aborted += m.aborts(s) != 0 ? 1 : 0;
    out.aborts += m.aborts(s);
  });
  return out;
}

// Hermitage's P4 (lost update), every interleaving of 2 workers x 1 increment, each L R W U
// (BEGIN, SELECT, UPDATE, COMMIT; V left out). BEGIN takes no lock; a W waits while the other's
// transaction holds the row (it wrote and has not committed), so the two W..U stretches never
// overlap: either 1W 1U come before 2W, or 2W 2U before 1W. Take 1W 1U first: worker 1's four
// steps all come before 2W, and 2L 2R fall anywhere among them: C(6, 2) = 15 interleavings, then
// 2W 2U. Twice that (the other way round) is 30. Worker 2 loses worker 1's update when its R read
// the row before 1U committed: of the 15, those with 2R after 1U are 2R last and 2L in any of 5
// places, so 10 lose and 5 do not; both ways, 20 lose (final 1) and 10 do not (final 2).
TEST(StepModelServer, ReadCommittedLosesTheUpdateInTwentyOfThirty) {
  const StepModel sut(postgres_counter(Strategy::kTransaction, Isolation::kReadCommitted));
  ASSERT_TRUE(sut.server_transactions());
  const ServerOutcomes o = server_outcomes(sut);
  EXPECT_EQ(o.finals, (std::map<std::int64_t, std::uint64_t>{{1, 20}, {2, 10}}));
  EXPECT_EQ(o.aborted, 0u);  // read committed aborts nothing: it writes the stale value
}

// The same 30 interleavings (a retry is forced: the other worker has finished by then). The 20 in
// which the second writer read before the first committed are the ones where, at repeatable read
// and serializable, its snapshot (taken at its R, not at BEGIN) is older than the row it writes:
// its W fails with 40001, its U rolls back, and it runs L R W U again on the committed row.
TEST(StepModelServer, RepeatableReadAndSerializableAbortTwentyOfThirtyAndLoseNone) {
  for (Isolation i : {Isolation::kRepeatableRead, Isolation::kSerializable}) {
    const StepModel sut(postgres_counter(Strategy::kTransaction, i));
    const ServerOutcomes o = server_outcomes(sut);
    EXPECT_EQ(o.finals, (std::map<std::int64_t, std::uint64_t>{{2, 30}}));
    EXPECT_EQ(o.aborted, 20u);
    EXPECT_EQ(o.aborts, 20u);  // one each: the retry runs alone
  }
}

// for-update: the SELECT … FOR UPDATE takes the row lock, so the R..U stretches never overlap; 2L
// falls anywhere among 1L 1R 1W 1U (5 places) before 2R 2W 2U, and the other way round: 10.
TEST(StepModelServer, ForUpdateHasTenInterleavingsAndLosesNone) {
  const StepModel sut(postgres_counter(Strategy::kForUpdate, Isolation::kSerializable));
  const ServerOutcomes o = server_outcomes(sut);
  EXPECT_EQ(o.finals, (std::map<std::int64_t, std::uint64_t>{{2, 10}}));
  EXPECT_EQ(o.aborted, 0u);
}

// Hermitage's schedule, as `run --schedule "1R 2R 1W 2W"` runs it: 2W cannot move before 1U.
TEST(StepModelServer, SecondWriteWaitsForTheFirstsCommit) {
  const StepModel sut(postgres_counter(Strategy::kTransaction, Isolation::kRepeatableRead));
  StepModel::State s = sut.initial();
  for (ScheduleToken t :
       {ScheduleToken{1, Step::kLock}, ScheduleToken{1, Step::kRead}, ScheduleToken{2, Step::kLock},
        ScheduleToken{2, Step::kRead}, ScheduleToken{1, Step::kWrite}})
    ASSERT_TRUE(sut.apply(s, t));
  EXPECT_FALSE(sut.can_move(s, 1));
  ASSERT_TRUE(sut.apply(s, {1, Step::kUnlock}));
  ASSERT_TRUE(sut.apply(s, {2, Step::kWrite}));  // 40001
  EXPECT_EQ(sut.aborts(s), 1u);
  ASSERT_TRUE(sut.apply(s, {2, Step::kUnlock}));  // ROLLBACK
  EXPECT_EQ(sut.next_step(s, 1), Step::kLock);    // and again from BEGIN
  sut.run_tail(s);
  EXPECT_EQ(sut.final_value(s), 2);
}

// Off postgres, and for the bank (more rows: cycles the server breaks by a timer), L stays a lock
// of the model's.
TEST(StepModelServer, OnlyPostgresTransactionsOfOneRow) {
  RunParams p = postgres_counter(Strategy::kTransaction, Isolation::kSerializable);
  p.backend = Backend::kSqlite;
  EXPECT_FALSE(StepModel(p).server_transactions());
  p = postgres_counter(Strategy::kTransaction, Isolation::kSerializable);
  p.scenario = Scenario::kBank;
  p.scenario_params.accounts = 2;
  EXPECT_FALSE(StepModel(p).server_transactions());
  EXPECT_FALSE(StepModel(postgres_counter(Strategy::kAdvisory, Isolation::kSerializable))
                   .server_transactions());
}

}  // namespace
}  // namespace shmlab
