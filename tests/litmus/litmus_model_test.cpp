// The sequentially consistent model of the litmus tests: the workers' own steps (litmus_body.hpp)
// run in every interleaving, one at a time. The marked outcome of each test is exactly what no
// interleaving produces (that is what makes it a litmus test), and the known SC outcomes appear.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "shmlab/litmus/access_order.hpp"
#include "shmlab/litmus/litmus_body.hpp"

namespace shmlab::litmus {
namespace {

// Every final state of `T` over all interleavings of its threads' steps.
template <LitmusTest T>
std::set<std::size_t> sc_outcomes() {
  const LitmusTestInfo& info = litmus_info(T);
  std::vector<std::uint32_t> schedule;  // thread of each step, in a canonical order
  for (std::uint32_t t = 0; t < info.threads; ++t)
    schedule.insert(schedule.end(), steps_of(T, t), t);
  std::set<std::size_t> out;
  do {
    IterationCells cells;
    Registers regs[kMaxThreads] = {};
    std::uint32_t next[kMaxThreads] = {};
    for (std::uint32_t t : schedule) run_step<T, SeqCstAccesses>(t, next[t]++, cells, regs[t]);
    const Registers* at[kMaxThreads] = {&regs[0], &regs[1], &regs[2], &regs[3]};
    out.insert(state_index(final_state(T, cells, at)));
  } while (std::next_permutation(schedule.begin(), schedule.end()));
  return out;
}

std::set<std::size_t> sc_outcomes(LitmusTest t) {
  switch (t) {
    case LitmusTest::kSB:
      return sc_outcomes<LitmusTest::kSB>();
    case LitmusTest::kMP:
      return sc_outcomes<LitmusTest::kMP>();
    case LitmusTest::kLB:
      return sc_outcomes<LitmusTest::kLB>();
    case LitmusTest::kIRIW:
      return sc_outcomes<LitmusTest::kIRIW>();
    case LitmusTest::k2Plus2W:
      return sc_outcomes<LitmusTest::k2Plus2W>();
  }
  return {};
}

std::set<std::size_t> states(std::initializer_list<State> list) {
  std::set<std::size_t> out;
  for (const State& s : list) out.insert(state_index(s));
  return out;
}

TEST(LitmusModel, NoInterleavingProducesTheMarkedOutcome) {
  for (const LitmusTestInfo& info : all_litmus_tests()) {
    const auto sc = sc_outcomes(info.id);
    EXPECT_EQ(sc.count(state_index(info.marked)), 0u) << info.name;
  }
}

TEST(LitmusModel, InterleavingsGiveTheKnownOutcomes) {
  EXPECT_EQ(sc_outcomes(LitmusTest::kSB), states({{0, 1}, {1, 0}, {1, 1}}));
  EXPECT_EQ(sc_outcomes(LitmusTest::kMP), states({{0, 0}, {0, 1}, {1, 1}}));
  EXPECT_EQ(sc_outcomes(LitmusTest::kLB), states({{0, 0}, {0, 1}, {1, 0}}));
  EXPECT_EQ(sc_outcomes(LitmusTest::k2Plus2W), states({{1, 2}, {2, 1}, {2, 2}}));
  // IRIW: each reader sees any of 4 pairs of values; only the two readers disagreeing on the
  // order of the writes is impossible: 16 - 1.
  EXPECT_EQ(sc_outcomes(LitmusTest::kIRIW).size(), 15u);
}

TEST(LitmusModel, StepsWriteTheDocumentedLocations) {
  // MP: thread 0's first step is the data x, its second the flag y.
  IterationCells c;
  Registers r{};
  run_step<LitmusTest::kMP, RelaxedAccesses>(0, 0, c, r);
  EXPECT_EQ(c.x.value.load(), 1u);
  EXPECT_EQ(c.y.value.load(), 0u);
  run_step<LitmusTest::kMP, RelaxedAccesses>(1, 0, c, r);  // r0 = y
  run_step<LitmusTest::kMP, RelaxedAccesses>(1, 1, c, r);  // r1 = x
  EXPECT_EQ(r.r[0], 0u);
  EXPECT_EQ(r.r[1], 1u);
}

}  // namespace
}  // namespace shmlab::litmus
