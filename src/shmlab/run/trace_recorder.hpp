// TraceRecorder: turns a worker's step boundaries into trace events in its own ring
// (control/trace_ring.hpp). The worker calls begin() as the last thing before a step (after any
// schedule gate, so a step's span is its own work, a lock step's span its wait) and end() first
// thing after it. Two clock reads and one 56-byte store per step, nothing shared; with
// RunParams::trace off (for benchmarks of the bare strategies) it does nothing at all.
#pragma once

#include <cstdint>

#include "shmlab/control/trace_ring.hpp"
#include "shmlab/scenario/step_context.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {

class TraceRecorder {
 public:
  explicit TraceRecorder(TraceRing ring) : ring_(ring) {}

  void begin() noexcept {
    if (ring_.enabled()) t_begin_ = sys::monotonic_ns();
  }

  void end(const StepEvent& e) noexcept {
    if (!ring_.enabled()) return;  // RunParams::trace off: not even a clock read
    TraceEvent t;
    t.t_begin_ns = t_begin_;
    t.t_end_ns = sys::monotonic_ns();
    t.before = e.before;
    t.after = e.after;
    t.id = e.id;
    t.based_on = e.based_on;
    t.op = static_cast<std::uint32_t>(e.op);
    t.step = static_cast<char>(e.step);
    t.flags = flags_of(e);
    t.cell = static_cast<std::uint16_t>(e.cell);
    ring_.push(t);
  }

  static std::uint8_t flags_of(const StepEvent& e) {
    std::uint8_t f = 0;
    if (!e.ok) f |= TraceEvent::kFailed;
    if (e.recovered) f |= TraceEvent::kRecovered;
    if (e.skipped()) f |= TraceEvent::kAborted;
    if (e.step == Step::kVerify && e.verdict == VerifyOutcome::kChanged) f |= TraceEvent::kChanged;
    if (e.step == Step::kVerify && e.verdict == VerifyOutcome::kOverwritten)
      f |= TraceEvent::kOverwritten;
    return f;
  }

 private:
  TraceRing ring_;
  std::int64_t t_begin_ = 0;
};

}  // namespace shmlab
