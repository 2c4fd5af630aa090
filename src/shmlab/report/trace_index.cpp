#include "shmlab/report/trace_index.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "shmlab/scenario/registry.hpp"

namespace shmlab {

TraceIndex::TraceIndex(const RunResult& r) {
  for (const LostUpdate& l : r.attribution.lost) {
    lost_[l.lost.id] = &l;
    erasers_[l.erased_by.id].push_back(&l);
  }
  const RunRecord& rec = r.record;
  origin_ns_ = rec.go_ns;
  for (const WorkerRecord& w : rec.workers) {
    dropped_ += w.trace_dropped;
    for (const TraceEvent& e : w.trace) {
      if (origin_ns_ == 0 || e.t_begin_ns < origin_ns_) origin_ns_ = e.t_begin_ns;
    }
  }
  for (const WorkerRecord& w : rec.workers) {
    for (const TraceEvent& e : w.trace) {
      TraceStep s{w.number, &e, static_cast<double>(e.t_begin_ns - origin_ns_) / 1e6,
                  static_cast<double>(e.t_end_ns - origin_ns_) / 1e6};
      span_ms_ = std::max(span_ms_, s.end_ms);
      steps_.push_back(s);
    }
  }
  std::stable_sort(steps_.begin(), steps_.end(), [](const TraceStep& a, const TraceStep& b) {
    return a.event->t_begin_ns < b.event->t_begin_ns;
  });
}

const LostUpdate* TraceIndex::lost(std::uint64_t write_id) const {
  const auto it = lost_.find(write_id);
  return write_id != 0 && it != lost_.end() ? it->second : nullptr;
}

const std::vector<const LostUpdate*>& TraceIndex::erased_by(std::uint64_t write_id) const {
  static const std::vector<const LostUpdate*> kNone;
  const auto it = erasers_.find(write_id);
  return write_id != 0 && it != erasers_.end() ? it->second : kNone;
}

std::uint64_t TraceIndex::count(char step) const {
  return static_cast<std::uint64_t>(std::count_if(
      steps_.begin(), steps_.end(), [step](const TraceStep& s) { return s.event->step == step; }));
}

std::string_view step_name(char step) {
  switch (step) {
    case 'L':
      return "lock";
    case 'R':
      return "read";
    case 'W':
      return "write";
    case 'U':
      return "unlock";
    case 'A':
      return "atomic";
    case 'C':
      return "CAS";
    case 'V':
      return "verify";
    default:
      return "step";
  }
}

// A statement of a transaction the server had aborted (40001, 40P01): it did nothing.
std::string aborted_text(const TraceEvent& e, std::string_view cell) {
  return fmt::format("{}{}{} skipped: transaction aborted by the server", step_name(e.step),
                     cell.empty() ? "" : " ", cell);
}

std::string step_text(const TraceEvent& e) {
  if ((e.flags & TraceEvent::kAborted) != 0) return aborted_text(e, "");
  switch (e.step) {
    case 'R':
      return fmt::format("read {}", e.before);
    case 'W':
    case 'A':
      if (e.step == 'W' && (e.flags & TraceEvent::kFailed) != 0)
        return fmt::format("write {}→{} refused (fenced out)", e.before, e.after);
      return fmt::format("{} {}→{}", step_name(e.step), e.before, e.after);
    case 'C':
      return (e.flags & TraceEvent::kFailed) != 0
                 ? fmt::format("CAS {}→{} failed, retry", e.before, e.after)
                 : fmt::format("CAS {}→{}", e.before, e.after);
    case 'V':
      if ((e.flags & TraceEvent::kOverwritten) != 0)
        return fmt::format("verify: wrote {}, now {} (overwritten)", e.before, e.after);
      if ((e.flags & TraceEvent::kChanged) != 0)
        return fmt::format("verify: wrote {}, now {} (changed)", e.before, e.after);
      return fmt::format("verify {} unchanged", e.after);
    case 'L':
      return (e.flags & TraceEvent::kRecovered) != 0 ? "lock (recovered from a dead owner)"
             : (e.flags & TraceEvent::kFailed) != 0  ? "lock busy"
                                                     : "lock";
    default:
      return std::string(step_name(e.step));
  }
}

std::string lock_name(const TraceEvent& e, const RunParams& p) {
  if (p.strategy == Strategy::kAccountLocks || p.strategy == Strategy::kOrderedLocks)
    return cell_name(p, e.cell);
  return p.strategy == Strategy::kTransaction ? "the database" : "the lock";
}

std::string step_text(const TraceEvent& e, const RunParams& p) {
  if (p.scenario == Scenario::kCounter) return step_text(e);
  const std::string cell = cell_name(p, e.cell);
  if ((e.flags & TraceEvent::kAborted) != 0) return aborted_text(e, cell);
  switch (e.step) {
    case 'R':
      return fmt::format("read {} {}", cell, e.before);
    case 'W':
    case 'A':
      if ((e.flags & TraceEvent::kFailed) != 0)
        return fmt::format("{} {} refused at {}", step_name(e.step), cell, e.before);
      return fmt::format("{} {} {}→{}", step_name(e.step), cell, e.before, e.after);
    case 'C':
      return (e.flags & TraceEvent::kFailed) != 0
                 ? fmt::format("CAS {} {}→{} failed, retry", cell, e.before, e.after)
                 : fmt::format("CAS {} {}→{}", cell, e.before, e.after);
    case 'L': {
      const std::string lock = lock_name(e, p);
      if (never_granted(e)) return fmt::format("waits for {}: never granted", lock);
      if ((e.flags & TraceEvent::kRecovered) != 0)
        return fmt::format("lock {} (recovered from a dead owner)", lock);
      if ((e.flags & TraceEvent::kFailed) != 0) return fmt::format("lock {} busy", lock);
      if (e.t_end_ns - e.t_begin_ns >= kNotableWaitNs) {
        return fmt::format("waits for {}, granted after {:.1f} ms", lock,
                           static_cast<double>(e.t_end_ns - e.t_begin_ns) / 1e6);
      }
      return fmt::format("lock {}", lock);
    }
    case 'U':
      return fmt::format("unlock {}", lock_name(e, p));
    default:
      return step_text(e);
  }
}

}  // namespace shmlab
