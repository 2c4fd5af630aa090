// TraceRing: one worker's bounded ring of trace events in the control block. Exactly one writer
// (its worker) appends with plain stores and a release-published count: no shared counter and no
// read-modify-write on the hot path. When full it overwrites its oldest events and the count of
// dropped ones is what readers report. The coordinator reads it after the worker has ended.
// A ring of capacity C has C + 1 slots and readers take at most the C newest published events, so
// the slot the writer is filling (or was filling when it was killed) is never one of them.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace shmlab {

// One step of one operation, as a complete span: [t_begin_ns, t_end_ns] on CLOCK_MONOTONIC.
struct TraceEvent {
  enum Flag : std::uint8_t {
    kFailed = 1,         // C that did not swap, L busy under a schedule, W fenced out: redone
    kRecovered = 2,      // L taken over from a dead owner (EOWNERDEAD)
    kChanged = 4,        // V: another write followed mine
    kOverwritten = 8,    // V: a write at or below my value replaced mine
    kNeverGranted = 16,  // L: still waiting when the run was stopped (added by the coordinator)
  };
  std::int64_t t_begin_ns = 0;
  std::int64_t t_end_ns = 0;
  std::int64_t before = 0;     // R: value read; W: value read; V: value I wrote
  std::int64_t after = 0;      // W: value written; V: value now in the region
  std::uint64_t id = 0;        // R, V: write id of the record seen; W: write id written
  std::uint64_t based_on = 0;  // W: write id of the record it read; V: my last write id
  std::uint32_t op = 0;        // 0-based operation index (N ≤ 10^9 fits)
  char step = 0;               // a Step letter (SPEC §3)
  std::uint8_t flags = 0;
  std::uint16_t cell = 0;  // R W A C V: the scenario's cell; L U: the lock (an account's)
};
static_assert(std::is_trivially_copyable_v<TraceEvent>);
static_assert(sizeof(TraceEvent) == 56);

struct alignas(64) TraceRingHeader {
  std::atomic<std::uint64_t> appended{0};  // events ever pushed; only the owner writes it
  std::uint64_t capacity = 0;              // as created; readers trust the capacity the params give
};

// Slots a ring of `capacity` events occupies: one more, for the event being written.
constexpr std::uint64_t trace_ring_slots(std::uint64_t capacity) {
  return capacity == 0 ? 0 : capacity + 1;
}
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

class TraceRing {
 public:
  TraceRing() = default;
  // `events` has room for trace_ring_slots(capacity) events.
  TraceRing(TraceRingHeader* header, TraceEvent* events, std::uint64_t capacity)
      : header_(header), events_(events), capacity_(capacity) {}

  bool enabled() const { return capacity_ != 0; }

  // Owner only. The slot is written before the count is published (release), so a reader that
  // acquires the count sees complete events.
  void push(const TraceEvent& e) noexcept {
    if (!enabled()) return;
    const std::uint64_t n = header_->appended.load(std::memory_order_relaxed);
    events_[n % trace_ring_slots(capacity_)] = e;
    header_->appended.store(n + 1, std::memory_order_release);
  }

  std::uint64_t appended() const {
    return enabled() ? header_->appended.load(std::memory_order_acquire) : 0;
  }
  std::uint64_t dropped() const {
    const std::uint64_t n = appended();
    return n > capacity() ? n - capacity() : 0;
  }
  std::uint64_t capacity() const { return capacity_; }

  // The newest event, if any (the coordinator reads it while the worker waits at a step gate).
  bool last(TraceEvent& out) const {
    const std::uint64_t n = appended();
    if (n == 0) return false;
    out = events_[(n - 1) % trace_ring_slots(capacity_)];
    return true;
  }

  // The events still held that were appended as number `from` or later, oldest first.
  std::vector<TraceEvent> since(std::uint64_t from) const {
    std::vector<TraceEvent> out;
    const std::uint64_t n = appended();
    std::uint64_t first = n > capacity() ? n - capacity() : 0;
    if (from > first) first = from;
    for (std::uint64_t i = first; i < n; ++i)
      out.push_back(events_[i % trace_ring_slots(capacity_)]);
    return out;
  }

  // The events still held, oldest first.
  std::vector<TraceEvent> snapshot() const { return since(0); }

 private:
  TraceRingHeader* header_ = nullptr;
  TraceEvent* events_ = nullptr;
  std::uint64_t capacity_ = 0;
};

}  // namespace shmlab
