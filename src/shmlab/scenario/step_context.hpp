// StepContext: what a scenario's operation calls at each step boundary. The worker loop (run/)
// implements it: schedule gates, crash points, the watchdog's heartbeat, log lines and trace.
#pragma once

#include <cstdint>
#include <string_view>

#include "shmlab/control/params.hpp"

namespace shmlab {

// What VERIFY concluded, labelled for what it can know (SPEC §1).
enum class VerifyOutcome {
  kUnchanged,    // the record is still my write
  kChanged,      // another write followed mine (it may or may not have kept my increment)
  kOverwritten,  // another write at or below my value: my write was overwritten
};

struct StepEvent {
  Step step;
  std::uint64_t op = 0;     // 0-based operation index
  std::int64_t before = 0;  // value the step saw (R: read; W: the value read; V: written)
  std::int64_t after = 0;   // value the step left (W: written; V: now in the region)
  bool ok = true;           // C: swapped; L: acquired (false: busy under a schedule)
  // Write identities for the trace (see write_id()): R, V: the record seen; W: the one written.
  std::uint64_t id = 0;
  std::uint64_t based_on = 0;                         // W: the record it read; V: my write
  bool recovered = false;                             // L: taken over from a dead owner
  VerifyOutcome verdict = VerifyOutcome::kUnchanged;  // V
  std::uint32_t cell = 0;                             // R W A C V: the cell; L U: the lock
  // postgres: the SQLSTATE with which the server aborted the step's transaction (40001, 40P01):
  // a U that is not ok rolled it back; any other step failed or was skipped (skipped()). Empty
  // otherwise. Points into the region: read it before the next step.
  std::string_view aborted_by;

  // The step did nothing: its transaction was already aborted, or this statement was refused.
  bool skipped() const { return !aborted_by.empty() && (step != Step::kUnlock || ok); }
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
  // Before enter() of an L or U step: which lock it is (per-account locks; 0 otherwise).
  virtual void lock_target(std::uint32_t /*lock*/) {}
  // After leave() of a W the storage refused (lease --fencing): the write's token and the newer
  // one that fenced it out.
  virtual void fenced_out(const StepEvent& /*event*/, std::uint64_t /*token*/,
                          std::uint64_t /*newest*/) {}
};

}  // namespace shmlab
