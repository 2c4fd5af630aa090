#include "shmlab/schedule/step_gate.hpp"

#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/futex.hpp"

namespace shmlab {
namespace {

// A gate re-checks `abort` this often even without a wake-up, so a lost wake cannot hang it.
constexpr std::int64_t kGatePollNs = 100'000'000;

}  // namespace

bool StepGate::pass(Step step) {
  if (!enabled_) return true;
  publish_step(slot_, static_cast<std::uint32_t>(step));
  std::uint32_t granted = slot_.gate_granted.load(std::memory_order_acquire);
  while (granted == seen_) {
    if (header_.abort.load(std::memory_order_acquire) != 0) return false;
    sys::futex_wait(slot_.gate_granted, seen_, kGatePollNs);
    granted = slot_.gate_granted.load(std::memory_order_acquire);
  }
  seen_ = granted;
  return header_.abort.load(std::memory_order_acquire) == 0;
}

void StepGate::finish() {
  if (!enabled_) return;
  publish_step(slot_, kGateFinished);
}

void publish_step(WorkerSlot& slot, std::uint32_t wanted) {
  // Release: what this worker's previous step wrote is visible to whoever sees the letter.
  slot.gate_wanted.store(wanted, std::memory_order_release);
  sys::futex_wake_all(slot.gate_wanted);
}

void grant_step(WorkerSlot& slot) {
  // Cleared before the grant: the worker's next letter is stored after it sees the grant, so it
  // can never be overwritten by this store.
  slot.gate_wanted.store(kGateNone, std::memory_order_relaxed);
  slot.gate_granted.fetch_add(1, std::memory_order_release);
  sys::futex_wake_all(slot.gate_granted);
}

std::uint32_t await_boundary(WorkerSlot& slot, std::int64_t timeout_ns) {
  const std::int64_t deadline = sys::monotonic_ns() + timeout_ns;
  std::uint32_t wanted = slot.gate_wanted.load(std::memory_order_acquire);
  while (wanted == kGateNone) {
    const std::int64_t left = deadline - sys::monotonic_ns();
    if (left <= 0) break;
    sys::futex_wait(slot.gate_wanted, kGateNone, left);
    wanted = slot.gate_wanted.load(std::memory_order_acquire);
  }
  return wanted;
}

void release_gates(ControlBlock& control) {
  // A woken worker finds no new grant, re-checks `abort` and leaves.
  for (WorkerSlot& s : control.slots()) sys::futex_wake_all(s.gate_granted);
}

}  // namespace shmlab
