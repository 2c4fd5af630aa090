#include "shmlab/control/trace_ring_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "shmlab/control/control_block.hpp"

namespace shmlab {
namespace {

bool known_step(char c) {
  return c != 0 && std::string_view("LRWUACV").find(c) != std::string_view::npos;
}

constexpr std::uint8_t kKnownFlags = TraceEvent::kFailed | TraceEvent::kRecovered |
                                     TraceEvent::kChanged | TraceEvent::kOverwritten |
                                     TraceEvent::kAborted;

// Why the held events cannot be what one worker appended, or "". A worker does its operations in
// order and appends only the steps of SPEC §3, so its events' ops never go down; a count that does
// not match the events (the usual corruption) starts the window in the wrong slot and breaks that.
// A live ring (`ops_done` unset) is judged on its events alone.
std::string events_problem(const std::vector<TraceEvent>& held, std::uint64_t first,
                           std::uint64_t increments, std::optional<std::uint64_t> ops_done,
                           bool ends_with_verify) {
  std::uint32_t last_op = 0;
  for (std::size_t k = 0; k < held.size(); ++k) {
    const TraceEvent& e = held[k];
    const std::uint64_t n = first + k + 1;  // 1-based position in everything the worker appended
    if (!known_step(e.step))
      return fmt::format("event {} has no step letter (byte {:#04x})", n,
                         static_cast<unsigned char>(e.step));
    if ((e.flags & ~kKnownFlags) != 0)
      return fmt::format("event {} has unknown flags {:#04x}", n, e.flags);
    if (e.op >= increments)
      return fmt::format("event {} is of operation {}, the run has {}", n, e.op + 1ULL, increments);
    if (k != 0 && e.op < last_op)
      return fmt::format("event {} (operation {}) follows one of operation {}", n, e.op + 1ULL,
                         last_op + 1ULL);
    last_op = e.op;
  }
  if (!ops_done) return {};
  // The newest event belongs to the last operation completed, or to the one the worker was in.
  const std::uint64_t done = *ops_done;
  if (held.empty() && done != 0)
    return fmt::format("it holds no event, but its worker completed {} operations", done);
  if (!held.empty() && (last_op + 1ULL < done || last_op > done))
    return fmt::format("its newest event is of operation {}, but its worker completed {}",
                       last_op + 1ULL, done);
  // Every operation of the counter ends with its V: a completed last operation without one was
  // cut short. (Inventory and bank have no V: theirs end with a W, a U, or a declining R or A.)
  if (ends_with_verify && !held.empty() && last_op + 1ULL == done && held.back().step != 'V')
    return fmt::format(
        "its newest event is {} of operation {}, which its worker completed (an "
        "operation ends with V)",
        held.back().step, done);
  return {};
}

}  // namespace

TraceRingView read_trace_ring(const void* data, std::size_t size, std::uint32_t worker_index,
                              RingOwner owner, std::optional<std::uint64_t> count_now) {
  TraceRingView v;
  const auto* bytes = static_cast<const char*>(data);
  const auto* h = static_cast<const ControlHeader*>(data);
  const RunParams& p = h->params;
  v.capacity = trace_capacity_for(p);
  const std::uint64_t slots = trace_ring_slots(v.capacity);
  const std::uint64_t ring_bytes = sizeof(TraceRingHeader) + sizeof(TraceEvent) * slots;
  // control_header_problem bounds these already; an out-of-range index is refused, not read.
  if (worker_index >= p.workers || h->trace_stride < ring_bytes || h->trace_offset > size ||
      h->trace_stride > (size - h->trace_offset) / p.workers ||
      h->slots_offset + sizeof(WorkerSlot) * p.workers > size) {
    v.problem = "ring outside the object (corrupt trace layout)";
    return v;
  }
  const char* ring = bytes + h->trace_offset + std::uint64_t{worker_index} * h->trace_stride;
  const auto* rh = reinterpret_cast<const TraceRingHeader*>(ring);
  const auto* slot = reinterpret_cast<const WorkerSlot*>(bytes + h->slots_offset) + worker_index;
  // Acquire pairs with the owner's release in TraceRing::push: the events below are complete.
  v.recorded = rh->appended.load(std::memory_order_acquire);
  v.overflowed = v.recorded > v.capacity ? v.recorded - v.capacity : 0;
  if (v.capacity == 0) {
    if (v.recorded != 0)
      v.problem =
          fmt::format("the run recorded no trace, but the ring counts {} events", v.recorded);
    return v;
  }
  if (rh->capacity != v.capacity) {
    v.problem = fmt::format("its header says capacity {}, the run's parameters give {}",
                            rh->capacity, v.capacity);
    return v;
  }
  std::uint64_t first = v.recorded - std::min(v.recorded, v.capacity);
  const char* events = ring + sizeof(TraceRingHeader);
  v.held.resize(v.recorded - first);
  for (std::uint64_t i = first; i < v.recorded; ++i) {
    // The slot index is reduced modulo the trusted slot count: inside the ring whatever the count.
    // The slot of event `recorded`, which a killed worker may have left half written, is not read.
    std::memcpy(&v.held[i - first], events + (i % slots) * sizeof(TraceEvent), sizeof(TraceEvent));
  }
  std::optional<std::uint64_t> ops;
  if (owner == RingOwner::kLive) {
    // Slots the worker reused while they were copied hold newer events than their place says
    // (a seqlock's read side: the copy above is ordered before the count below).
    std::atomic_thread_fence(std::memory_order_acquire);
    const std::uint64_t now = count_now.value_or(rh->appended.load(std::memory_order_relaxed));
    const std::uint64_t reused_below = now > v.capacity ? now - v.capacity : 0;
    if (reused_below > first) {
      const std::uint64_t drop = std::min<std::uint64_t>(reused_below - first, v.held.size());
      v.held.erase(v.held.begin(), v.held.begin() + static_cast<std::ptrdiff_t>(drop));
      first += drop;
    }
  } else {
    ops = std::min(slot->ops.load(std::memory_order_acquire), p.increments);
  }
  v.problem = events_problem(v.held, first, p.increments, ops, p.scenario == Scenario::kCounter);
  if (!v.problem.empty()) v.held.clear();
  return v;
}

}  // namespace shmlab
