// Step gates (SPEC §3): under a schedule each worker stops at every step boundary, publishes the
// step it wants next in its slot's `gate_wanted`, and sleeps on a process-shared futex on
// `gate_granted` until the coordinator's Scheduler grants it. Both sides of the handshake live
// here.
//
// Handshake, per step: worker stores wanted = letter, wakes; coordinator sees it, stores wanted =
// 0, increments granted, wakes; the worker takes the step and publishes its next letter (or
// kGateFinished). Only one worker is ever between a grant and its next boundary, so the order of
// steps is exactly the order of grants.
#pragma once

#include <cstdint>

#include "shmlab/control/control_block.hpp"

namespace shmlab {

// gate_wanted values besides a step letter.
inline constexpr std::uint32_t kGateNone = 0;      // running a step (or not yet at a boundary)
inline constexpr std::uint32_t kGateFinished = 1;  // took its last step

// The worker's side; a no-op unless the run is scheduled.
class StepGate {
 public:
  StepGate(ControlHeader& header, WorkerSlot& slot)
      : header_(header), slot_(slot), enabled_(header.params.scheduled) {}

  // Waits for the grant of `step`. Returns false when the coordinator aborted the run instead.
  bool pass(Step step);
  // After the last step: tells the coordinator this worker wants nothing more.
  void finish();

 private:
  ControlHeader& header_;
  WorkerSlot& slot_;
  bool enabled_;
  std::uint32_t seen_ = 0;  // grants taken so far
};

// Publishes `wanted` (a step letter or kGateFinished) in the slot and wakes whoever waits for it:
// the worker's own gate does, and the coordinator's relay for a worker elsewhere
// (run/control_relay.hpp).
void publish_step(WorkerSlot& slot, std::uint32_t wanted);

// The coordinator's side.
// Grants the step worker `slot` is waiting for; the caller has seen gate_wanted be a letter.
void grant_step(WorkerSlot& slot);
// Waits at most timeout_ns for the worker to publish its next step; returns gate_wanted.
std::uint32_t await_boundary(WorkerSlot& slot, std::int64_t timeout_ns);
// Wakes every worker sleeping at a gate so that it sees `abort` (set before calling this).
void release_gates(ControlBlock& control);

}  // namespace shmlab
