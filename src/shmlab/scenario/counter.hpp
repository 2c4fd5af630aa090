// The `counter` scenario (the seed): each operation increments one shared counter (one cell per
// worker under `sharded`, summed at the end), then VERIFY re-reads it. Its definition is in
// counter.cpp; the real worker runs it through ScenarioOp (live_op.hpp).
#pragma once

#include "shmlab/scenario/live_op.hpp"

namespace shmlab {

// The name `bench` and older code use for the live operation of the counter.
using CounterOp = ScenarioOp;

}  // namespace shmlab
