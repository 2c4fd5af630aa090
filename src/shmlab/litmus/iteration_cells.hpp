// IterationCells and Registers: the shared memory of one litmus iteration. Each iteration gets a
// fresh set (x and y at 0, its barrier at 0), each location on its own cache line, so that no
// iteration sees another's stores and no two locations share a line. They live in a LitmusBlock.
#pragma once

#include <atomic>
#include <cstdint>

namespace shmlab::litmus {

struct alignas(64) Location {
  std::atomic<std::uint32_t> value{0};
};

struct IterationCells {
  Location barrier;  // threads that reached this iteration (see iteration_barrier.hpp)
  Location x;
  Location y;
};

// A thread's registers in one iteration: written only by that thread, read by the coordinator
// once the batch is done.
struct Registers {
  std::uint32_t r[2];
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(Location) == 64 && sizeof(IterationCells) == 192);
static_assert(sizeof(Registers) == 8);

}  // namespace shmlab::litmus
