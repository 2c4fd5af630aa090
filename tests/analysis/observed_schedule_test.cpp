// observe_schedule on run records written by hand: the order of each cell's writes comes from what
// each write replaced where the backend said it (whatever the stamps), from the stamps around the
// writes where it could not, and two overlapping writes give no schedule but the reason.
#include "shmlab/analysis/observed_schedule.hpp"

#include <gtest/gtest.h>

namespace shmlab {
namespace {

TraceEvent event(Step step, std::int64_t t, std::uint64_t id, std::uint64_t based_on = 0) {
  TraceEvent e;
  e.t_begin_ns = t;
  e.t_end_ns = t + 1;
  e.step = static_cast<char>(step);
  e.id = id;
  e.based_on = based_on;
  return e;
}

// Two workers × 1 increment of the counter under `none`: both read the initial record at 0 and 5;
// worker 1 writes during [w1_from, w1_to], worker 2 during [w2_from, w2_to]; both verify late.
RunRecord two_blind_writes(std::int64_t w1_from, std::int64_t w1_to, std::int64_t w2_from,
                           std::int64_t w2_to, std::uint64_t final_id) {
  RunRecord r;
  r.params.workers = 2;
  r.params.increments = 1;
  r.writes_logged = true;
  r.final_cells = {CounterRecord{1, 0, 0, final_id}};
  for (std::uint32_t w = 1; w <= 2; ++w) {
    WorkerRecord rec;
    rec.number = w;
    const std::int64_t from = w == 1 ? w1_from : w2_from;
    const std::int64_t to = w == 1 ? w1_to : w2_to;
    rec.trace = {event(Step::kRead, w == 1 ? 0 : 5, 0), event(Step::kWrite, from, w, 0),
                 event(Step::kVerify, 100 + w, final_id)};
    WriteEntry e{0, 0, 1, to, 0, WriteEntry::kLogged};
    e.t_before_ns = from;
    rec.writes = {e};
    r.workers.push_back(rec);
  }
  return r;
}

TEST(ObservedSchedule, WritesWhoseStampsDoNotOverlapAreOrderedByThem) {
  const ObservedSchedule s = observe_schedule(two_blind_writes(10, 20, 30, 40, 2));
  ASSERT_TRUE(s.captured()) << s.reason;
  EXPECT_EQ(format_schedule(s.tokens), "1R 2R 1W 2W 1V 2V");
}

TEST(ObservedSchedule, OverlappingWritesWithoutEvidenceGiveNoScheduleButTheReason) {
  const ObservedSchedule s = observe_schedule(two_blind_writes(10, 35, 30, 40, 2));
  EXPECT_FALSE(s.captured());
  EXPECT_TRUE(s.tokens.empty());
  EXPECT_EQ(s.reason, "ambiguous: worker 1's and worker 2's writes overlapped");
}

TEST(ObservedSchedule, WhatEachWriteReplacedWinsOverItsStamps) {
  // Worker 2's write replaced worker 1's (final id 2), although worker 2's stamps come first, as
  // when worker 1 was preempted for long between its stamp before and its write.
  RunRecord r = two_blind_writes(30, 40, 10, 20, 2);
  r.workers[0].writes[0].logged |= WriteEntry::kReplacedExact;
  r.workers[0].writes[0].replaced = 0;
  r.workers[1].writes[0].logged |= WriteEntry::kReplacedExact;
  r.workers[1].writes[0].replaced = 1;
  const ObservedSchedule s = observe_schedule(r);
  ASSERT_TRUE(s.captured()) << s.reason;
  EXPECT_EQ(format_schedule(s.tokens), "1R 2R 1W 2W 1V 2V");
}

TEST(ObservedSchedule, AReadGoesBetweenTheWriteItSawAndTheNextOne) {
  // Worker 2 read worker 1's write (id 1) although its read began first by the clock.
  RunRecord r = two_blind_writes(10, 20, 30, 40, 2);
  r.workers[1].trace[0] = event(Step::kRead, 0, 1);
  r.workers[1].writes[0].based_on = 1;
  const ObservedSchedule s = observe_schedule(r);
  ASSERT_TRUE(s.captured()) << s.reason;
  EXPECT_EQ(format_schedule(s.tokens), "1R 1W 2R 2W 1V 2V");
}

TEST(ObservedSchedule, ARunUnderAScheduleOrOneThatDroppedStepsHasNone) {
  RunRecord scheduled = two_blind_writes(10, 20, 30, 40, 2);
  scheduled.schedule = "1R 2R 1W 2W";
  EXPECT_FALSE(observe_schedule(scheduled).captured());
  RunRecord dropped = two_blind_writes(10, 20, 30, 40, 2);
  dropped.workers[1].trace_dropped = 3;
  EXPECT_EQ(observe_schedule(dropped).reason, "the trace kept only the last steps of worker 2");
}

}  // namespace
}  // namespace shmlab
