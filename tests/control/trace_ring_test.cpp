#include "shmlab/control/trace_ring.hpp"

#include <gtest/gtest.h>

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
  std::vector<TraceEvent> storage(8);
  TraceRing sut(&header, storage.data(), storage.size());
  for (std::uint32_t i = 0; i < 5; ++i) sut.push(event(i));
  const std::vector<TraceEvent> got = sut.snapshot();
  ASSERT_EQ(got.size(), 5u);
  for (std::uint32_t i = 0; i < 5; ++i) EXPECT_EQ(got[i].op, i);
  EXPECT_EQ(sut.dropped(), 0u);
}

TEST(TraceRing, OverflowKeepsTheNewestAndCountsTheDropped) {
  TraceRingHeader header;
  std::vector<TraceEvent> storage(4);
  TraceRing sut(&header, storage.data(), storage.size());
  for (std::uint32_t i = 0; i < 11; ++i) sut.push(event(i));
  const std::vector<TraceEvent> got = sut.snapshot();
  ASSERT_EQ(got.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_EQ(got[i].op, 7 + i);
  EXPECT_EQ(sut.appended(), 11u);
  EXPECT_EQ(sut.dropped(), 7u);
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
