#include "shmlab/control/slot_image.hpp"

#include <type_traits>

namespace shmlab {
namespace {

// The mirrored fields, `state` excepted, in one order for both directions. Relaxed: `state`
// orders them (slot_image reads it first with acquire, apply_slot_image stores it last with
// release).
template <class Slot, class F>
void for_each_field(Slot& s, F&& f) {
  f(s.pid);
  f(s.ops);
  f(s.writes_logged);
  f(s.retries);
  f(s.lock_wait_ns);
  f(s.verify_changed);
  f(s.verify_overwritten);
  f(s.torn_reads);
  f(s.recoveries);
  f(s.heartbeat_ns);
  f(s.activity);
  f(s.gate_lock);
  f(s.waiting_for);
  f(s.completed);
  f(s.declined);
  f(s.overdrafts);
  f(s.audits);
  f(s.audits_inconsistent);
  f(s.paused_ns);
  f(s.leases_expired);
  f(s.fenced_out);
}

// The plain fields, last.
template <class Slot, class F>
void for_each_time(Slot& s, F&& f) {
  f(s.start_ns);
  f(s.end_ns);
}

template <class T>
std::int64_t get(const std::atomic<T>& a) {
  return static_cast<std::int64_t>(a.load(std::memory_order_relaxed));
}
std::int64_t get(const std::int64_t& x) { return x; }

template <class T>
void put(std::atomic<T>& a, std::int64_t v) {
  a.store(static_cast<T>(v), std::memory_order_relaxed);
}
void put(std::int64_t& x, std::int64_t v) { x = v; }

}  // namespace

std::vector<std::int64_t> slot_image(const WorkerSlot& slot, bool owner) {
  std::vector<std::int64_t> out;
  const WorkerState state = slot.state.load(std::memory_order_acquire);
  out.push_back(static_cast<std::int64_t>(state));
  for_each_field(slot, [&](const auto& field) { out.push_back(get(field)); });
  // The worker wrote them before it stored either state (release).
  const bool times = owner || state == WorkerState::kDone || state == WorkerState::kFailed;
  for_each_time(slot, [&](const auto& field) { out.push_back(times ? get(field) : kNotInImage); });
  return out;
}

void apply_slot_image(WorkerSlot& slot, std::span<const std::int64_t> image) {
  std::size_t fields = 1;
  for_each_field(slot, [&](const auto&) { ++fields; });
  for_each_time(slot, [&](const auto&) { ++fields; });
  if (image.size() != fields) return;
  std::size_t i = 1;
  const auto apply = [&](auto& field) {
    if (image[i] != kNotInImage) put(field, image[i]);
    ++i;
  };
  for_each_field(slot, apply);
  for_each_time(slot, apply);
  slot.state.store(static_cast<WorkerState>(image[0]), std::memory_order_release);
}

}  // namespace shmlab
