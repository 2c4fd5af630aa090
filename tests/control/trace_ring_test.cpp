#include "shmlab/control/trace_ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace shmlab {
namespace {

TraceEvent event(std::uint32_t op) {
  TraceEvent e;
  e.op = op;
  e.step = 'R';
  return e;
}

TEST(TraceRing, KeepsEveryEventInOrderWhileItFits) {
  TraceRingHeader header;
  std::vector<TraceEvent> storage(trace_ring_slots(8));
  TraceRing sut(&header, storage.data(), 8);
  for (std::uint32_t i = 0; i < 5; ++i) sut.push(event(i));
  const std::vector<TraceEvent> got = sut.snapshot();
  ASSERT_EQ(got.size(), 5u);
  for (std::uint32_t i = 0; i < 5; ++i) EXPECT_EQ(got[i].op, i);
  EXPECT_EQ(sut.dropped(), 0u);
}

TEST(TraceRing, OverflowKeepsTheNewestAndCountsTheDropped) {
  TraceRingHeader header;
  std::vector<TraceEvent> storage(trace_ring_slots(4));
  TraceRing sut(&header, storage.data(), 4);
  for (std::uint32_t i = 0; i < 11; ++i) sut.push(event(i));
  const std::vector<TraceEvent> got = sut.snapshot();
  ASSERT_EQ(got.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_EQ(got[i].op, 7 + i);
  EXPECT_EQ(sut.appended(), 11u);
  EXPECT_EQ(sut.dropped(), 7u);
}

// A worker killed inside push() has written part of the next event's slot but not published the
// count. Whatever that slot is, the events a reader takes must be the published ones, intact.
TEST(TraceRing, PushCutShortAfterTheRingWrappedLeavesTheHeldEventsIntact) {
  for (std::uint32_t pushed = 0; pushed < 13; ++pushed) {
    TraceRingHeader header;
    std::vector<TraceEvent> storage(trace_ring_slots(4));
    TraceRing sut(&header, storage.data(), 4);
    for (std::uint32_t i = 0; i < pushed; ++i) sut.push(event(i));
    const std::vector<TraceEvent> before = sut.snapshot();
    // The interrupted push: same slots, a private count that the reader never sees.
    TraceRingHeader unpublished;
    unpublished.appended.store(header.appended.load());
    TraceRing writer(&unpublished, storage.data(), 4);
    TraceEvent torn = event(999);
    torn.step = 'x';
    writer.push(torn);
    const std::vector<TraceEvent> after = sut.snapshot();
    ASSERT_EQ(after.size(), std::min<std::uint32_t>(pushed, 4)) << pushed;
    for (std::size_t k = 0; k < after.size(); ++k) {
      EXPECT_EQ(after[k].op, before[k].op) << pushed;
      EXPECT_EQ(after[k].op, pushed - after.size() + k) << pushed;
      EXPECT_EQ(after[k].step, 'R') << pushed;
    }
  }
}

TEST(TraceRing, ZeroCapacityRecordsNothing) {
  TraceRingHeader header;
  TraceRing sut(&header, nullptr, 0);
  sut.push(event(1));
  EXPECT_FALSE(sut.enabled());
  EXPECT_TRUE(sut.snapshot().empty());
  EXPECT_EQ(sut.dropped(), 0u);
}

}  // namespace
}  // namespace shmlab
