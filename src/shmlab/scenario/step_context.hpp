// StepContext: what a scenario's operation calls at each step boundary. The worker loop (run/)
// implements it: schedule gates, crash points, the watchdog's heartbeat, log lines and trace.
#pragma once

#include <cstdint>

#include "shmlab/control/params.hpp"

namespace shmlab {

struct StepEvent {
  Step step;
  std::uint64_t op = 0;     // 0-based operation index
  std::int64_t before = 0;  // value the step saw (R: read; W: the value read; V: written)
  std::int64_t after = 0;   // value the step left (W: written; V: now in the region)
  bool ok = true;           // C: swapped; L: acquired (false: busy under a schedule)
};

class StepContext {
 public:
  virtual ~StepContext() = default;
  // Before a step: may wait for a schedule's grant, may be a crash point.
  virtual void enter(Step step, std::uint64_t op) = 0;
  // After a step, with what it saw and did.
  virtual void leave(const StepEvent& event) = 0;
  // The race window between READ and WRITE (the seed's 0–30 ms).
  virtual void window() = 0;
};

}  // namespace shmlab
