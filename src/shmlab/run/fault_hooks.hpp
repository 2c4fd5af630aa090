// FaultHooks: what a worker does at its step boundaries for the study of faults — it records
// which worker holds the lock (ControlHeader::holder, for the watchdog's "died holding" report)
// and, at the point named by --crash, SIGKILLs itself; at the point named by --pause, it stops
// itself with SIGSTOP (the coordinator resumes it, docs/lease.md); at the point named by
// --partition, it cuts its host's link (docs/postgres.md). One per worker process.
#pragma once

#include <cstdint>
#include <functional>

#include "shmlab/control/control_block.hpp"
#include "shmlab/scenario/step_context.hpp"

namespace shmlab {

class FaultHooks {
 public:
  FaultHooks(ControlBlock& control, std::uint32_t worker_index);

  // --partition: at `spec`'s point of the first operation that passes it, calls `cut` (once).
  void set_partition(const PauseSpec& spec, std::function<void()> cut) {
    partition_ = spec;
    cut_ = std::move(cut);
  }

  // Called right before this worker stops itself (--pause) or SIGKILLs itself (--crash): a worker
  // whose control block is a replica publishes its state there first (run/control_relay.hpp).
  void set_before_stop(std::function<void()> f) { before_stop_ = std::move(f); }

  // Call at the end of StepContext::enter (once the step is really being taken).
  void on_enter(Step step, std::uint64_t op);
  // Call at the end of StepContext::leave.
  void on_leave(const StepEvent& event);

 private:
  void crash_if(CrashPoint point, std::uint64_t op) const;
  void pause_if(CrashPoint point);
  void partition_if(CrashPoint point);
  void at(CrashPoint point, std::uint64_t op) {
    crash_if(point, op);
    pause_if(point);
    partition_if(point);
  }

  ControlHeader& header_;
  WorkerSlot& slot_;
  CrashSpec crash_;      // worker == 0: not this worker
  PauseSpec pause_;      // worker == 0: not this worker, or already paused
  PauseSpec partition_;  // worker == 0: none, or already cut
  std::function<void()> cut_;
  std::function<void()> before_stop_;
  std::int32_t number_;
};

}  // namespace shmlab
