// The bench worker process: what `shmlab bench-worker` runs for one measurement. It attaches the
// bench block (and, for a strategy, the run's control block and region), waits at the barrier,
// then runs its operation in timed batches — no per-operation log, verify, heartbeat or trace —
// checking the phase word once per batch, and leaves its counts and latencies in its slot.
#pragma once

#include <cstdint>
#include <string>

namespace shmlab {

// Timing: a batch doubles, before the warm-up and whenever one is still shorter, until it lasts
// this long, so two clock reads per batch cost well under 1 % of it.
inline constexpr std::int64_t kBenchTargetBatchNs = 50'000;
inline constexpr std::uint64_t kBenchMaxBatch = 1u << 16;
// Lock wait is timed on the first operation of each batch and counted for the whole batch:
// timing every acquisition would double the cost of a fast lock.

int bench_worker_main(const std::string& bench_name, std::uint32_t worker_index);

}  // namespace shmlab
