// The reader's side of a trace ring it does not trust (`shmlab inspect` of a kept run): the ring's
// count and events read from the bytes of a control block, every index bounded by the capacity
// the validated parameters give, and a verdict on whether what the ring holds can be believed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/control/trace_ring.hpp"

namespace shmlab {

struct TraceRingView {
  std::uint64_t capacity = 0;    // from the parameters, never from the ring's own header
  std::uint64_t recorded = 0;    // events the ring says its worker appended
  std::uint64_t overflowed = 0;  // of those, overwritten by newer ones (recorded - capacity)
  std::vector<TraceEvent> held;  // the events still in the ring, oldest first; empty if corrupt
  std::string problem;           // "" when believable, else why not (its events are not shown)
};

// Whether the ring's worker may still be appending (its process is alive): then the ring moves
// while it is read, so events overwritten during the copy are dropped and the ring is not judged
// against the worker's completed operations.
enum class RingOwner { kGone, kLive };

// Worker `worker_index`'s ring in the `size` bytes at `data` (aligned to 64), which must already
// have passed control_header_problem. Reads no byte outside [data, data + size); never throws on
// what the bytes say. For a live owner, `count_now` is the ring's count read again after `data`
// was copied from the object (ControlSnapshot::ring_count_now); without it the count is read
// again from `data`, which must then be the shared object itself.
TraceRingView read_trace_ring(const void* data, std::size_t size, std::uint32_t worker_index,
                              RingOwner owner = RingOwner::kGone,
                              std::optional<std::uint64_t> count_now = std::nullopt);

}  // namespace shmlab
