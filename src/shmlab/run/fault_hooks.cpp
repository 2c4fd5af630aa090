#include "shmlab/run/fault_hooks.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "shmlab/sys/clock.hpp"

namespace shmlab {

FaultHooks::FaultHooks(ControlBlock& control, std::uint32_t worker_index)
    : header_(control.header()),
      slot_(control.slot(worker_index)),
      number_(static_cast<std::int32_t>(worker_index + 1)) {
  const CrashSpec& spec = control.params().crash;
  if (spec.worker == worker_index + 1) crash_ = spec;
  if (control.params().pause.worker == worker_index + 1) pause_ = control.params().pause;
}

void FaultHooks::pause_if(CrashPoint point) {
  if (pause_.worker == 0 || pause_.point != point) return;
  pause_.worker = 0;  // once: the first operation that passes the point
  // Release: the coordinator resumes only a worker that said it stopped, and only once it really
  // is stopped (a SIGCONT before our SIGSTOP would leave us stopped for good).
  slot_.paused_ns.store(sys::monotonic_ns(), std::memory_order_release);
  if (before_stop_) before_stop_();
  ::raise(SIGSTOP);
}

void FaultHooks::partition_if(CrashPoint point) {
  if (partition_.worker == 0 || partition_.point != point) return;
  partition_.worker = 0;  // once
  cut_();
}

void FaultHooks::crash_if(CrashPoint point, std::uint64_t op) const {
  if (crash_.point != point || crash_.op != op + 1) return;
  // SIGKILL, not exit: nothing of ours runs after it (no unlock, no destructor), as in a real
  // crash.
  if (before_stop_) before_stop_();
  ::kill(::getpid(), SIGKILL);
  std::abort();  // unreachable: SIGKILL cannot be caught
}

void FaultHooks::on_enter(Step step, std::uint64_t op) {
  switch (step) {
    case Step::kLock:
      at(CrashPoint::kBeforeLock, op);
      break;
    case Step::kUnlock:
      at(CrashPoint::kBeforeUnlock, op);
      break;
    default:
      break;
  }
}

void FaultHooks::on_leave(const StepEvent& e) {
  switch (e.step) {
    case Step::kLock:
      if (!e.ok) break;  // busy under a schedule: not taken
      // Informational for the watchdog only, hence relaxed; the lock itself orders the data.
      header_.holder.store(number_, std::memory_order_relaxed);
      at(CrashPoint::kLocked, e.op);
      break;
    case Step::kUnlock: {
      // Only if nobody took it since: the next holder may already have written its number.
      std::int32_t me = number_;
      header_.holder.compare_exchange_strong(me, 0, std::memory_order_relaxed);
      break;
    }
    case Step::kRead:
      at(CrashPoint::kAfterRead, e.op);
      break;
    case Step::kWrite:
    case Step::kAtomic:
      if (e.ok) at(CrashPoint::kAfterWrite, e.op);  // a refused (fenced-out) write wrote nothing
      break;
    case Step::kCas:
      if (e.ok) at(CrashPoint::kAfterWrite, e.op);
      break;
    default:
      break;
  }
}

}  // namespace shmlab
