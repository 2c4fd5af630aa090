// LitmusResult: what one litmus run (one test, one order) observed: the histogram of final states
// over every iteration, where its processes ran, and how long it took.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "shmlab/litmus/access_order.hpp"
#include "shmlab/litmus/litmus_test.hpp"

namespace shmlab::litmus {

// Where each thread's process runs.
struct LitmusPlacement {
  std::vector<int> cpus;        // per thread: the CPU it is pinned to, or -1 (not pinned)
  unsigned cpus_available = 0;  // CPUs this process may run on
  bool pinned() const { return !cpus.empty() && cpus.front() >= 0; }
};

struct LitmusResult {
  LitmusTest test = LitmusTest::kSB;
  AccessOrder order = AccessOrder::kRelaxed;
  std::uint64_t iterations = 0;
  std::uint64_t batches = 0;
  std::array<std::uint64_t, kStateCount> histogram{};  // by state_index
  double elapsed_s = 0;                                // from the start barrier to the last tally
  LitmusPlacement placement;

  // litmus7's witnesses: iterations that ended in the marked state, and in any other.
  std::uint64_t positive() const { return histogram[state_index(litmus_info(test).marked)]; }
  std::uint64_t negative() const {
    std::uint64_t n = 0;
    const std::size_t marked = state_index(litmus_info(test).marked);
    for (std::size_t i = 0; i < kStateCount; ++i) n += i == marked ? 0 : histogram[i];
    return n;
  }
};

}  // namespace shmlab::litmus
