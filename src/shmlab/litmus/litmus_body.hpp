// The litmus tests as code: each thread's accesses, one step at a time, with the memory orders of
// an access policy (access_order.hpp). The workers run them on shared memory; the unit tests run
// the same steps in every sequential interleaving (the sequentially consistent model), so the
// model cannot drift from what the workers execute.
#pragma once

#include <algorithm>
#include <cstdint>

#include "shmlab/litmus/iteration_cells.hpp"
#include "shmlab/litmus/litmus_test.hpp"

namespace shmlab::litmus {

// Accesses of `thread` in `test` (IRIW's writers have one, every other thread two).
constexpr std::uint32_t steps_of(LitmusTest test, std::uint32_t thread) {
  return test == LitmusTest::kIRIW && thread < 2 ? 1 : 2;
}

// Step `step` of `thread`: one access. A = RelaxedAccesses, AcquireReleaseAccesses, ...
template <LitmusTest T, class A>
inline void run_step(std::uint32_t thread, std::uint32_t step, IterationCells& c, Registers& r) {
  std::atomic<std::uint32_t>& x = c.x.value;
  std::atomic<std::uint32_t>& y = c.y.value;
  if constexpr (T == LitmusTest::kSB) {
    // 0: x=1; r0=y    1: y=1; r0=x
    std::atomic<std::uint32_t>& mine = thread == 0 ? x : y;
    std::atomic<std::uint32_t>& other = thread == 0 ? y : x;
    if (step == 0) {
      mine.store(1, A::kStore);
    } else {
      r.r[0] = other.load(A::kLoad);
    }
  } else if constexpr (T == LitmusTest::kMP) {
    // 0: x=1; y=1     1: r0=y; r1=x     (x the data, y the flag)
    if (thread == 0) {
      (step == 0 ? x : y).store(1, A::kStore);
    } else if (step == 0) {
      r.r[0] = y.load(A::kLoad);
    } else {
      r.r[1] = x.load(A::kLoad);
    }
  } else if constexpr (T == LitmusTest::kLB) {
    // 0: r0=x; y=1    1: r0=y; x=1
    std::atomic<std::uint32_t>& read = thread == 0 ? x : y;
    std::atomic<std::uint32_t>& written = thread == 0 ? y : x;
    if (step == 0) {
      r.r[0] = read.load(A::kLoad);
    } else {
      written.store(1, A::kStore);
    }
  } else if constexpr (T == LitmusTest::kIRIW) {
    // 0: x=1    1: y=1    2: r0=x; r1=y    3: r0=y; r1=x
    if (thread < 2) {
      (thread == 0 ? x : y).store(1, A::kStore);
    } else {
      const bool x_first = thread == 2;
      r.r[step] = ((step == 0) == x_first ? x : y).load(A::kLoad);
    }
  } else {
    // 2+2W.  0: x=1; y=2    1: y=1; x=2
    std::atomic<std::uint32_t>& first = thread == 0 ? x : y;
    std::atomic<std::uint32_t>& second = thread == 0 ? y : x;
    (step == 0 ? first : second).store(step + 1, A::kStore);
  }
}

// One thread's whole iteration: its accesses, with the policy's fence between two of them.
template <LitmusTest T, class A>
inline void run_thread(std::uint32_t thread, IterationCells& c, Registers& r) {
  run_step<T, A>(thread, 0, c, r);
  if (steps_of(T, thread) == 2) {
    A::between();
    run_step<T, A>(thread, 1, c, r);
  }
}

// The final state of one iteration, from its locations and each thread's registers (regs[t]).
inline State final_state(LitmusTest test, const IterationCells& c, const Registers* const* regs) {
  auto v = [](std::uint32_t value) {
    return static_cast<std::uint8_t>(std::min<std::uint32_t>(value, kValueRange - 1));
  };
  switch (test) {
    case LitmusTest::kSB:
    case LitmusTest::kLB:
      return {v(regs[0]->r[0]), v(regs[1]->r[0]), 0, 0};
    case LitmusTest::kMP:
      return {v(regs[1]->r[0]), v(regs[1]->r[1]), 0, 0};
    case LitmusTest::kIRIW:
      return {v(regs[2]->r[0]), v(regs[2]->r[1]), v(regs[3]->r[0]), v(regs[3]->r[1])};
    case LitmusTest::k2Plus2W:
      // Read by the coordinator after the batch: the iteration's stores are all visible.
      return {v(c.x.value.load(std::memory_order_acquire)),
              v(c.y.value.load(std::memory_order_acquire)), 0, 0};
  }
  return {};
}

}  // namespace shmlab::litmus
