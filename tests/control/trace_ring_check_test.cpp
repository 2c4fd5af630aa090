#include "shmlab/control/trace_ring_check.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "support/control_bytes.hpp"

namespace shmlab {
namespace {

// Worker 1 of a 2 x 3 run appends `per_op` events of each of its 3 operations and completes them.
test::ControlBytes block_with_events(std::uint64_t per_op) {
  return test::real_control_bytes(2, 3, [per_op](ControlBlock& block) {
    TraceRing ring = block.trace(0);
    const char steps[] = {'R', 'W', 'V'};
    for (std::uint32_t op = 0; op < 3; ++op) {
      for (std::uint64_t k = 0; k < per_op; ++k) {
        TraceEvent e;
        e.op = op;
        e.step = steps[k % 3];
        e.before = op;
        e.after = op + 1;
        ring.push(e);
      }
    }
    block.slot(0).ops.store(3, std::memory_order_relaxed);
  });
}

std::atomic<std::uint64_t>& count_of(test::ControlBytes& b, std::uint32_t worker) {
  auto* ring = static_cast<char*>(b.data()) + b.header().trace_offset +
               std::uint64_t{worker} * b.header().trace_stride;
  return reinterpret_cast<TraceRingHeader*>(ring)->appended;
}

TEST(TraceRingCheck, BelievableRingGivesItsEventsOldestFirst) {
  test::ControlBytes b = block_with_events(3);
  const TraceRingView sut = read_trace_ring(b.data(), b.size, 0);
  EXPECT_EQ(sut.problem, "");
  EXPECT_EQ(sut.recorded, 9u);
  EXPECT_EQ(sut.overflowed, 0u);
  ASSERT_EQ(sut.held.size(), 9u);
  EXPECT_EQ(sut.held.front().step, 'R');
  EXPECT_EQ(sut.held.front().op, 0u);
  EXPECT_EQ(sut.held.back().step, 'V');
  EXPECT_EQ(sut.held.back().op, 2u);
  // Worker 2 did nothing: an empty ring that agrees with its slot.
  const TraceRingView idle = read_trace_ring(b.data(), b.size, 1);
  EXPECT_EQ(idle.problem, "");
  EXPECT_TRUE(idle.held.empty());
}

TEST(TraceRingCheck, OverflowedRingKeepsTheNewest) {
  test::ControlBytes b = block_with_events(15);  // 45 events, a ring of 10 x 3 + 8 = 38
  const TraceRingView sut = read_trace_ring(b.data(), b.size, 0);
  EXPECT_EQ(sut.problem, "");
  EXPECT_EQ(sut.capacity, 38u);
  EXPECT_EQ(sut.recorded, 45u);
  EXPECT_EQ(sut.overflowed, 7u);
  ASSERT_EQ(sut.held.size(), 38u);
  EXPECT_EQ(sut.held.front().op, 0u);  // the 8th event: the last 8 of operation 1 remain
  EXPECT_EQ(sut.held.back().op, 2u);
}

TEST(TraceRingCheck, NoCountReadsOutsideTheRingOrYieldsUnbelievableEvents) {
  std::vector<std::uint64_t> counts;
  for (std::uint64_t n = 0; n < 80; ++n) counts.push_back(n);
  for (int bit = 6; bit < 64; ++bit) counts.push_back(std::uint64_t{1} << bit);
  counts.push_back(~std::uint64_t{0});
  for (const std::uint64_t n : counts) {
    test::ControlBytes b = block_with_events(3);
    count_of(b, 0).store(n);
    const TraceRingView sut = read_trace_ring(b.data(), b.size, 0);
    EXPECT_LE(sut.held.size(), sut.capacity) << n;
    EXPECT_EQ(sut.recorded, n);
    if (n == 9) {
      EXPECT_EQ(sut.problem, "");
    } else {
      // Any other count cuts the worker's completed operations short or starts in empty slots.
      EXPECT_NE(sut.problem, "") << n;
      EXPECT_TRUE(sut.held.empty()) << n;
    }
  }
}

// Worker 1 was SIGKILLed inside a push after its ring wrapped: the slot it was filling holds part
// of a newer event, its count is not yet bumped. `inspect` must still find the ring sound.
TEST(TraceRingCheck, PushCutShortAfterTheRingWrappedIsNotCorruption) {
  for (std::uint64_t per_op : {3, 9, 12, 15}) {  // 9, 27, 36, 45 events in a ring of 26
    test::ControlBytes b = block_with_events(per_op);
    const TraceRingView before = read_trace_ring(b.data(), b.size, 0);
    ASSERT_EQ(before.problem, "") << per_op;
    auto* ring = static_cast<char*>(b.data()) + b.header().trace_offset;
    TraceRingHeader unpublished;
    unpublished.appended.store(count_of(b, 0).load());
    TraceRing writer(&unpublished, reinterpret_cast<TraceEvent*>(ring + sizeof(TraceRingHeader)),
                     before.capacity);
    TraceEvent torn;
    torn.op = 1'000'000;  // half written: an operation the run does not have, no step letter
    writer.push(torn);
    const TraceRingView sut = read_trace_ring(b.data(), b.size, 0);
    EXPECT_EQ(sut.problem, "") << per_op;
    ASSERT_EQ(sut.held.size(), before.held.size()) << per_op;
    for (std::size_t k = 0; k < sut.held.size(); ++k) {
      EXPECT_EQ(sut.held[k].op, before.held[k].op) << per_op << " event " << k;
      EXPECT_EQ(sut.held[k].step, before.held[k].step) << per_op << " event " << k;
    }
  }
}

TraceEvent& event(test::ControlBytes& b, std::size_t k) {
  char* ring = static_cast<char*>(b.data()) + b.header().trace_offset;
  return reinterpret_cast<TraceEvent*>(ring + sizeof(TraceRingHeader))[k];
}

TEST(TraceRingCheck, EachCorruptionIsNamed) {
  struct Case {
    const char* says;
    void (*corrupt)(test::ControlBytes&);
  };
  const Case cases[] = {
      {"header says capacity 7",
       [](test::ControlBytes& b) {
         auto* ring = static_cast<char*>(b.data()) + b.header().trace_offset;
         reinterpret_cast<TraceRingHeader*>(ring)->capacity = 7;
       }},
      {"event 2 has no step letter", [](test::ControlBytes& b) { event(b, 1).step = 'x'; }},
      {"event 3 has unknown flags", [](test::ControlBytes& b) { event(b, 2).flags = 0x80; }},
      {"event 4 is of operation 8, the run has 3",
       [](test::ControlBytes& b) { event(b, 3).op = 7; }},
      {"event 5 (operation 1) follows one of operation 2",
       [](test::ControlBytes& b) { event(b, 4).op = 0; }},
      {"newest event is W of operation 3", [](test::ControlBytes& b) { event(b, 8).step = 'W'; }},
      {"newest event is of operation 3, but its worker completed 0",
       [](test::ControlBytes& b) {
         auto* slots = static_cast<char*>(b.data()) + b.header().slots_offset;
         reinterpret_cast<WorkerSlot*>(slots)->ops.store(0);
       }},
  };
  for (const Case& c : cases) {
    test::ControlBytes b = block_with_events(3);
    c.corrupt(b);
    const TraceRingView sut = read_trace_ring(b.data(), b.size, 0);
    EXPECT_NE(sut.problem.find(c.says), std::string::npos) << c.says << " -> " << sut.problem;
    EXPECT_TRUE(sut.held.empty());
  }
}

}  // namespace
}  // namespace shmlab
