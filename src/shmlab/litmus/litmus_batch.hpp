// run_batch: one thread's part of a batch of litmus iterations, each on its own fresh cells and
// started together with the other threads on the iteration's barrier. The test and the order are
// template arguments inside, so that each loop is compiled with exactly its accesses.
#pragma once

#include <atomic>
#include <cstdint>

#include "shmlab/litmus/access_order.hpp"
#include "shmlab/litmus/iteration_cells.hpp"
#include "shmlab/litmus/litmus_test.hpp"

namespace shmlab::litmus {

struct BatchArgs {
  LitmusTest test = LitmusTest::kSB;
  AccessOrder order = AccessOrder::kRelaxed;
  std::uint32_t thread = 0;
  std::uint32_t threads = 2;
  IterationCells* cells = nullptr;  // `length` of them
  Registers* registers = nullptr;   // this thread's, `length` of them
  std::uint32_t length = 0;
  const std::atomic<std::uint32_t>* abort = nullptr;
};

// Returns false when the run was aborted midway.
bool run_batch(const BatchArgs& args);

}  // namespace shmlab::litmus
