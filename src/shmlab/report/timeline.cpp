#include "shmlab/report/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "shmlab/report/trace_index.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sys/log.hpp"

namespace shmlab {
namespace {

constexpr std::string_view kRed = "\033[31m";
constexpr std::string_view kYellow = "\033[33m";
constexpr std::string_view kMagenta = "\033[35m";
constexpr std::string_view kDim = "\033[2m";
constexpr std::string_view kReset = "\033[0m";

// Terminal columns of UTF-8 text made of narrow characters only (→ ✗ » │ are all narrow).
std::size_t columns(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; }));
}

// Drops the last UTF-8 character (its continuation bytes, then its lead byte).
void pop_char(std::string& s) {
  while (!s.empty() && (s.back() & 0xc0) == 0x80) s.pop_back();
  if (!s.empty()) s.pop_back();
}

// Pads to exactly `width` columns, cutting with "…" ("..." in ASCII) when too long.
std::string fit(std::string s, std::size_t width, bool ascii = false) {
  const std::string_view ellipsis = ascii ? "..." : "…";
  if (columns(s) > width) {
    while (!s.empty() && columns(s) + columns(ellipsis) > width) pop_char(s);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    s += ellipsis;
  }
  return s + std::string(width - std::min(width, columns(s)), ' ');
}

std::string workers_list(const std::vector<const LostUpdate*>& erased) {
  std::string out;
  for (const LostUpdate* l : erased) {
    out += fmt::format("{}w{}", out.empty() ? "" : ",", l->lost.worker);
  }
  return out;
}

struct Cell {
  std::string text;
  std::string_view color;
};

// A step of a scenario of several cells names its cell ("R A 1000", "W stock 1→0") and a lock
// step its lock and its wait ("L B waited 3.1ms", "L B waits: never granted").
Cell scenario_cell_for(const TraceEvent& e, const TraceIndex& index, const RunParams& p) {
  const std::string cell = cell_name(p, e.cell);
  if ((e.flags & TraceEvent::kAborted) != 0)
    return {fmt::format("{} {} aborted", e.step, cell), kDim};
  const std::uint64_t w = TraceIndex::write_of(e);
  if (const LostUpdate* l = index.lost(w)) {
    return {fmt::format("{} {} {}→{} ✗ lost (w{})", e.step, cell, e.before, e.after,
                        l->erased_by.worker),
            kRed};
  }
  if (!index.erased_by(w).empty()) {
    return {fmt::format("{} {} {}→{} » erased {}", e.step, cell, e.before, e.after,
                        workers_list(index.erased_by(w))),
            kYellow};
  }
  switch (e.step) {
    case 'R':
      return {fmt::format("R {} {}", cell, e.before), {}};
    case 'W':
    case 'A':
    case 'C':
      if ((e.flags & TraceEvent::kFailed) != 0)
        return {fmt::format("{} {} {} ✗ {}", e.step, cell, e.before,
                            e.step == 'C' ? "retry" : "refused"),
                kDim};
      return {fmt::format("{} {} {}→{}", e.step, cell, e.before, e.after), {}};
    case 'L': {
      // The one lock of a global-lock strategy needs no name in its lane.
      const std::string lock = e.cell != 0 || p.strategy == Strategy::kAccountLocks ||
                                       p.strategy == Strategy::kOrderedLocks
                                   ? lock_name(e, p)
                                   : std::string();
      const double wait_ms = static_cast<double>(e.t_end_ns - e.t_begin_ns) / 1e6;
      if (never_granted(e)) return {fmt::format("L {} waits: never granted", lock), kRed};
      if ((e.flags & TraceEvent::kRecovered) != 0)
        return {fmt::format("L {} recovered", lock), kMagenta};
      if (e.t_end_ns - e.t_begin_ns >= kNotableWaitNs)
        return {fmt::format("L {} waited {:.1f}ms", lock, wait_ms), kDim};
      return {fmt::format("L {}", lock), kDim};
    }
    case 'U':
      return {p.strategy == Strategy::kAccountLocks || p.strategy == Strategy::kOrderedLocks
                  ? fmt::format("U {}", lock_name(e, p))
                  : std::string("U"),
              kDim};
    default:
      return {std::string(1, e.step), kDim};
  }
}

Cell cell_for(const TraceEvent& e, const TraceIndex& index, const RunParams& p) {
  if (p.scenario != Scenario::kCounter) return scenario_cell_for(e, index, p);
  // A statement of a transaction the server had aborted: it did nothing.
  if ((e.flags & TraceEvent::kAborted) != 0) return {fmt::format("{} aborted", e.step), kDim};
  const std::uint64_t w = TraceIndex::write_of(e);
  if (const LostUpdate* l = index.lost(w)) {
    return {fmt::format("{} {}→{} ✗ lost (w{})", e.step, e.before, e.after, l->erased_by.worker),
            kRed};
  }
  if (!index.erased_by(w).empty()) {
    return {fmt::format("{} {}→{} » erased {}", e.step, e.before, e.after,
                        workers_list(index.erased_by(w))),
            kYellow};
  }
  switch (e.step) {
    case 'R':
      return {fmt::format("R {}", e.before), {}};
    case 'W':
      // Refused by the storage (lease --fencing): nothing was written.
      if ((e.flags & TraceEvent::kFailed) != 0)
        return {fmt::format("W {}→{} ✗ refused", e.before, e.after), kDim};
      return {fmt::format("W {}→{}", e.before, e.after), {}};
    case 'V':
      if ((e.flags & TraceEvent::kOverwritten) != 0)
        return {fmt::format("V {} overwritten", e.after), kMagenta};
      if ((e.flags & TraceEvent::kChanged) != 0)
        return {fmt::format("V {} changed", e.after), kDim};
      return {fmt::format("V {} ok", e.after), kDim};
    case 'L': {
      const double wait_ms = static_cast<double>(e.t_end_ns - e.t_begin_ns) / 1e6;
      if ((e.flags & TraceEvent::kRecovered) != 0) return {"L recovered", kMagenta};
      return {wait_ms >= 0.05 ? fmt::format("L waited {:.1f}ms", wait_ms) : "L", kDim};
    }
    case 'C':
      if ((e.flags & TraceEvent::kFailed) != 0)
        return {fmt::format("C {} ✗ retry", e.before), kDim};
      return {fmt::format("C {}→{}", e.before, e.after), {}};
    case 'A':
      return {fmt::format("A {}→{}", e.before, e.after), {}};
    default:
      return {std::string(1, e.step), kDim};
  }
}

}  // namespace

std::string render_timeline(const RunResult& r, const TimelineOptions& o) {
  const TraceIndex index(r);
  const std::size_t workers = r.record.workers.size();
  std::string out;
  if (workers == 0) return out;
  constexpr std::size_t kTimeCol = 9;  // "  1234.5 "
  const std::size_t lane =
      std::max(o.min_lane, (o.width - kTimeCol - 1) / workers - 3);  // " │ " between lanes
  auto paint = [&](const std::string& s, std::string_view color) {
    return o.color && !color.empty() ? fmt::format("{}{}{}", color, s, kReset) : s;
  };

  out += "Timeline: one row per step, ms since the workers were released\n";
  auto rule = [](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += "─";
    return s;
  };
  std::string head = fit("      ms", kTimeCol - 1);
  std::string line = rule(kTimeCol - 1);
  for (const WorkerRecord& w : r.record.workers) {
    head += " │ " + fit(fmt::format("worker {}", w.number), lane);
    line += "─┼─" + rule(lane);
  }
  while (!head.empty() && head.back() == ' ') head.pop_back();
  out += head + "\n" + line + "\n";

  std::size_t rows = 0;
  for (const TraceStep& s : index.steps()) {
    if (rows++ == o.max_rows) break;
    const Cell c = cell_for(*s.event, index, r.record.params);
    std::string row = fmt::format("{:>{}.1f}", s.begin_ms, kTimeCol - 1);
    for (std::uint32_t w = 1; w <= workers; ++w) {
      row += " │ ";
      // Cells spelt in ASCII before they are fitted: "->" is two columns where "→" was one.
      row += w == s.worker ? paint(fit(o.ascii ? to_ascii(c.text) : c.text, lane, o.ascii), c.color)
                           : std::string(lane, ' ');
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row + "\n";
  }
  if (index.steps().size() > o.max_rows) {
    out += fmt::format("… {} more steps not shown (--trace or --report show every step)\n",
                       index.steps().size() - o.max_rows);
  }
  if (index.steps().empty()) out += "(no steps were traced)\n";
  out += "R read, W write (read→written), V verify, L lock, U unlock, C compare-and-swap\n";
  const bool never = std::any_of(index.steps().begin(), index.steps().end(),
                                 [](const TraceStep& s) { return never_granted(*s.event); });
  if (never)
    out += paint("waits: never granted", kRed) + ": still waiting when the run was stopped\n";
  if (!r.attribution.lost.empty()) {
    out += paint("✗ lost (wN)", kRed) +
           ": this increment vanished; worker N's write replaced it\n" +
           paint("» erased wN", kYellow) + ": this write replaced worker N's lost one\n";
  }
  if (index.dropped() != 0) {
    out +=
        fmt::format("trace: the {} oldest steps were dropped (rings full); these are the newest\n",
                    index.dropped());
  }
  // What is left to spell, the rules and the key, keeps its columns: │ ─ ┼ are one ASCII each.
  return o.ascii ? to_ascii(out) : out;
}

}  // namespace shmlab
