// TraceIndex: the run's trace laid out for the views (timeline, Chrome trace, HTML report) — every
// worker's step events on one time axis, and each write's part in the attribution: lost (and to
// whom), or the surviving write that erased others.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

struct TraceStep {
  std::uint32_t worker = 0;  // 1-based
  const TraceEvent* event = nullptr;
  double begin_ms = 0;  // from the release of the workers
  double end_ms = 0;
};

class TraceIndex {
 public:
  explicit TraceIndex(const RunResult& result);

  // Every step of every worker, by begin time.
  const std::vector<TraceStep>& steps() const { return steps_; }
  // The lost update whose lost write has this id, or nullptr.
  const LostUpdate* lost(std::uint64_t write_id) const;
  // The lost updates this surviving write erased (empty for most writes).
  const std::vector<const LostUpdate*>& erased_by(std::uint64_t write_id) const;
  // A step's write id when it wrote the record (W, or a C that swapped), else 0.
  static std::uint64_t write_of(const TraceEvent& e) {
    const bool wrote = e.step == 'W' || (e.step == 'C' && (e.flags & TraceEvent::kFailed) == 0);
    return wrote && (e.flags & TraceEvent::kAborted) == 0 ? e.id : 0;
  }

  std::int64_t origin_ns() const { return origin_ns_; }
  double span_ms() const { return span_ms_; }
  std::uint64_t dropped() const { return dropped_; }  // events full rings overwrote
  std::uint64_t count(char step) const;

 private:
  std::vector<TraceStep> steps_;
  std::unordered_map<std::uint64_t, const LostUpdate*> lost_;
  std::unordered_map<std::uint64_t, std::vector<const LostUpdate*>> erasers_;
  std::int64_t origin_ns_ = 0;
  double span_ms_ = 0;
  std::uint64_t dropped_ = 0;
};

// "read 5", "write 5→6", "verify 6: overwritten" — one step in words.
std::string step_text(const TraceEvent& e);
// The same, naming the cell of a step of a scenario of several cells ("read A 1000", "write stock
// 1→0") and the wait of a lock step ("waits for B, granted after 3.1 ms", "waits for B: never
// granted"); the counter's text is step_text(e).
std::string step_text(const TraceEvent& e, const RunParams& p);
// What the views call the lock of an L or U step: "B" under per-account locks, else "the lock".
std::string lock_name(const TraceEvent& e, const RunParams& p);
// An L step that never completed: its worker was still waiting when the run was stopped.
inline bool never_granted(const TraceEvent& e) {
  return e.step == 'L' && (e.flags & TraceEvent::kNeverGranted) != 0;
}
// Waits shorter than this are not worth a word in the views.
inline constexpr std::int64_t kNotableWaitNs = 50'000;
// "R", "W", ... as a word: "read", "write", "lock", "unlock", "atomic", "CAS", "verify".
std::string_view step_name(char step);

}  // namespace shmlab
