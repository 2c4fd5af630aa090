#include "shmlab/analysis/observed_schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <queue>
#include <unordered_map>

#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

struct Node {
  std::uint32_t worker = 0;  // 1-based
  const TraceEvent* event = nullptr;
};

// A write of a cell: a W, a C that swapped, an A that added (or a refused A, in value mode).
struct CellWrite {
  std::uint32_t node = 0;
  std::uint64_t id = 0;        // ID mode: the write id
  std::uint64_t replaced = 0;  // ID mode, exact: the id it replaced
  bool exact = false;          // `replaced` came from the write itself
  std::int64_t t_before = 0;   // ID mode, stamps: the write happened in [t_before, t_after]
  std::int64_t t_after = 0;
  std::int64_t before = 0;  // value mode: the value it found
  std::int64_t after = 0;   // value mode: the value it left
};

class Builder {
 public:
  explicit Builder(const RunRecord& r)
      : r_(r),
        p_(r.params),
        family_(strategy_info(p_.strategy).family),
        ids_(attributable(p_.strategy)) {}

  ObservedSchedule build() {
    ObservedSchedule out;
    out.reason = collect();
    if (out.reason.empty()) out.reason = order_cells();
    if (out.reason.empty()) out.reason = order_locks();
    if (out.reason.empty()) out.reason = sort(out.tokens);
    if (!out.reason.empty()) out.tokens.clear();
    return out;
  }

 private:
  void edge(std::uint32_t from, std::uint32_t to) {
    next_[from].push_back(to);
    ++indegree_[to];
  }

  std::string collect() {
    if (!r_.schedule.empty()) return "the run followed --schedule";
    if (r_.end != RunEnd::kCompleted) return "the run did not complete";
    if (!p_.trace) return "its steps were not traced";
    if (p_.scenario_params.auditor) return "the auditor's reads are not part of a schedule";
    std::size_t steps = 0;
    for (const WorkerRecord& w : r_.workers) {
      if (w.end != WorkerEnd::kOk) return fmt::format("worker {} did not end normally", w.number);
      if (w.trace_dropped != 0)
        return fmt::format("the trace kept only the last steps of worker {}", w.number);
      steps += w.trace.size();
    }
    if (steps > kMaxObservedSteps)
      return fmt::format("{} steps, more than the {} a schedule is captured for", steps,
                         kMaxObservedSteps);
    if (ids_ && !r_.writes_logged) return "the writes were not logged";
    for (const WorkerRecord& w : r_.workers) {
      std::optional<std::uint32_t> previous;
      for (const TraceEvent& e : w.trace) {
        const auto step = static_cast<Step>(e.step);
        const bool failed = (e.flags & TraceEvent::kFailed) != 0;
        // A BEGIN that found the database busy is redone; under a schedule it is never busy.
        if (step == Step::kLock && failed) continue;
        if (step == Step::kUnlock && failed)
          return fmt::format("a COMMIT of worker {} failed and was redone", w.number);
        const auto n = static_cast<std::uint32_t>(nodes_.size());
        nodes_.push_back({w.number, &e});
        next_.emplace_back();
        indegree_.push_back(0);
        if (previous) edge(*previous, n);
        previous = n;
      }
    }
    return "";
  }

  const WriteEntry* entry_of(std::uint32_t worker, const TraceEvent& e) const {
    const std::vector<WriteEntry>& log = r_.workers[worker - 1].writes;
    const std::uint32_t per_op = writes_per_op(p_);
    for (std::uint32_t k = 0; k < per_op; ++k) {
      const std::uint64_t i = std::uint64_t{e.op} * per_op + k;
      if (i < log.size() && (log[i].logged & WriteEntry::kLogged) != 0 && log[i].cell == e.cell)
        return &log[i];
    }
    return nullptr;
  }

  // Puts `reader` after the write that left version `pos` (0: the initial record) and before the
  // next one.
  void pin(std::uint32_t reader, const std::vector<CellWrite>& order, std::size_t pos) {
    if (pos > 0) edge(visible(order[pos - 1].node), reader);
    if (pos < order.size()) edge(reader, visible(order[pos].node));
  }

  // Where a write becomes visible to other workers: at once, or at its transaction's COMMIT (the
  // worker's next U): a reader between the W and the COMMIT sees the version before.
  std::uint32_t visible(std::uint32_t write) const {
    if (family_ != Family::kTransaction) return write;
    for (std::uint32_t n = write + 1; n < nodes_.size() && nodes_[n].worker == nodes_[write].worker;
         ++n) {
      if (static_cast<Step>(nodes_[n].event->step) == Step::kUnlock) return n;
    }
    return write;
  }

  std::string order_cells() {
    std::map<std::uint32_t, std::vector<CellWrite>> writes;  // by cell
    std::map<std::uint32_t, std::vector<std::uint32_t>> readers;
    for (std::uint32_t n = 0; n < nodes_.size(); ++n) {
      const TraceEvent& e = *nodes_[n].event;
      const auto step = static_cast<Step>(e.step);
      const bool ok = (e.flags & TraceEvent::kFailed) == 0;
      // A W the storage refused (lease --fencing) wrote nothing, and where it fell among the
      // grants is not recorded: no schedule can be said to replay it.
      if (step == Step::kWrite && !ok) return "a late write was refused (fencing)";
      const bool writes_cell =
          step == Step::kWrite || (step == Step::kCas && ok) || (step == Step::kAtomic && ok);
      if (writes_cell) {
        CellWrite w{n, e.id, 0, false, 0, 0, e.before, e.after};
        if (ids_) {
          const WriteEntry* log = entry_of(nodes_[n].worker, e);
          if (log == nullptr || e.id == 0)
            return fmt::format("a write of worker {} was not logged", nodes_[n].worker);
          w.exact = (log->logged & WriteEntry::kReplacedExact) != 0;
          w.replaced = log->replaced;
          w.t_before = log->t_before_ns;
          w.t_after = log->t_write_ns;
        }
        writes[e.cell].push_back(w);
      } else if (step == Step::kRead || step == Step::kVerify || step == Step::kCas ||
                 step == Step::kAtomic) {
        readers[e.cell].push_back(n);
      }
    }
    for (std::uint32_t cell = 0; cell < r_.final_cells.size(); ++cell) {
      std::vector<CellWrite>& list = writes[cell];
      const std::string why = ids_ ? order_by_ids(list) : order_by_values(cell, list);
      if (!why.empty()) return why;
      for (std::size_t i = 1; i < list.size(); ++i) edge(list[i - 1].node, list[i].node);
      for (std::uint32_t n : readers[cell]) {
        const std::string why_not = ids_ ? pin_by_id(n, list) : pin_by_value(n, list);
        if (!why_not.empty()) return why_not;
      }
    }
    return "";
  }

  // ID mode: the replaced ids where every write said one, else the stamps around the writes.
  std::string order_by_ids(std::vector<CellWrite>& list) {
    const bool exact =
        std::all_of(list.begin(), list.end(), [](const CellWrite& w) { return w.exact; });
    position_.clear();
    if (exact) {
      std::unordered_map<std::uint64_t, std::size_t> by_replaced;
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (!by_replaced.emplace(list[i].replaced, i).second)
          return "two writes said they replaced the same record";
      }
      std::vector<CellWrite> ordered;
      for (std::uint64_t id = 0; ordered.size() < list.size();) {
        const auto it = by_replaced.find(id);
        if (it == by_replaced.end()) return "the writes' replaced ids do not form one sequence";
        ordered.push_back(list[it->second]);
        id = ordered.back().id;
      }
      list = std::move(ordered);
    } else {
      std::sort(list.begin(), list.end(),
                [](const CellWrite& a, const CellWrite& b) { return a.t_before < b.t_before; });
      std::size_t latest = 0;  // the write that ended last so far
      for (std::size_t i = 1; i < list.size(); ++i) {
        if (list[i].t_before <= list[latest].t_after) {
          return fmt::format("ambiguous: worker {}'s and worker {}'s writes overlapped",
                             nodes_[list[latest].node].worker, nodes_[list[i].node].worker);
        }
        if (list[i].t_after > list[latest].t_after) latest = i;
      }
    }
    for (std::size_t i = 0; i < list.size(); ++i) position_[list[i].id] = i + 1;
    return "";
  }

  std::string pin_by_id(std::uint32_t n, const std::vector<CellWrite>& list) {
    const TraceEvent& e = *nodes_[n].event;
    const auto step = static_cast<Step>(e.step);
    // A C that did not swap read version `based_on` and found a later one.
    const std::uint64_t seen = step == Step::kCas ? e.based_on : e.id;
    std::size_t pos = 0;
    if (seen != 0) {
      const auto it = position_.find(seen);
      if (it == position_.end() || list[it->second - 1].id != seen)
        return fmt::format("worker {} read a record no write of this run made", nodes_[n].worker);
      pos = it->second;
    }
    if (step == Step::kCas) {
      if (pos >= list.size())
        return "a compare-and-swap failed with nothing written after its read";
      edge(list[pos].node, n);
      return "";
    }
    pin(n, list, pos);
    return "";
  }

  // Value mode (atomic, sharded: writes carry no id): each write goes from the value the cell had
  // to the next; a value two writes could follow, or two versions share, makes the order unknown.
  std::string order_by_values(std::uint32_t cell, std::vector<CellWrite>& list) {
    std::vector<CellWrite> ordered;
    std::vector<bool> used(list.size(), false);
    // `list` is in node order, and a worker's nodes are contiguous: its writes of the cell are
    // neighbours, and a later one waits for its earlier one (a worker's own order).
    auto waits = [&](std::size_t i) {
      return i > 0 && !used[i - 1] &&
             nodes_[list[i - 1].node].worker == nodes_[list[i].node].worker;
    };
    std::multimap<std::int64_t, std::size_t> by_before;
    for (std::size_t i = 0; i < list.size(); ++i) by_before.emplace(list[i].before, i);
    std::int64_t value = initial_value(cell);
    versions_[cell] = {value};
    while (ordered.size() < list.size()) {
      std::optional<std::size_t> pick;
      const auto [from, to] = by_before.equal_range(value);
      for (auto it = from; it != to; ++it) {
        const std::size_t i = it->second;
        if (used[i] || waits(i)) continue;
        if (pick) {
          const std::uint32_t a = nodes_[list[*pick].node].worker;
          const std::uint32_t b = nodes_[list[i].node].worker;
          return fmt::format(
              "ambiguous: a step of worker {} and one of worker {} both found {} in cell {}: "
              "their order is unknown",
              std::min(a, b), std::max(a, b), value, cell_name(p_, cell));
        }
        pick = i;
      }
      if (!pick) return "the writes' values do not form one sequence";
      used[*pick] = true;
      ordered.push_back(list[*pick]);
      value = list[*pick].after;
      versions_[cell].push_back(value);
    }
    list = std::move(ordered);
    return "";
  }

  std::string pin_by_value(std::uint32_t n, const std::vector<CellWrite>& list) {
    const TraceEvent& e = *nodes_[n].event;
    const auto step = static_cast<Step>(e.step);
    if (step == Step::kAtomic) {  // refused (no stock left): after the cell's last write
      if (!list.empty()) edge(list.back().node, n);
      return "";
    }
    const std::int64_t seen = step == Step::kVerify ? e.after : e.before;
    const std::vector<std::int64_t>& v = versions_[e.cell];
    const auto first = std::find(v.begin(), v.end(), seen);
    if (first == v.end())
      return fmt::format("worker {} read a value no write left", nodes_[n].worker);
    if (std::find(first + 1, v.end(), seen) != v.end())
      return fmt::format(
          "ambiguous: cell {} held {} more than once, and which one worker {} read is unknown",
          cell_name(p_, e.cell), seen, nodes_[n].worker);
    pin(n, list, static_cast<std::size_t>(first - v.begin()));
    return "";
  }

  std::int64_t initial_value(std::uint32_t cell) const {
    const std::vector<CellSpec> specs = scenario_of(p_.scenario).cells(p_);
    return cell < specs.size() ? specs[cell].initial : 0;
  }

  // The order in which each lock was granted: a holder's U before the next holder's L. Exact: the
  // next holder acquires only after the previous one released, so the acquisitions' end stamps are
  // in grant order whatever the preemptions.
  std::string order_locks() {
    // A lease does not exclude: a grant can be taken over before its holder's U (docs/lease.md).
    if (p_.strategy == Strategy::kLease) return "";
    struct Hold {
      std::int64_t acquired = 0;
      std::uint32_t lock_node = 0;
      std::uint32_t unlock_node = 0;
    };
    std::map<std::uint32_t, std::vector<Hold>> holds;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> open;  // (worker, lock) → L
    for (std::uint32_t n = 0; n < nodes_.size(); ++n) {
      const TraceEvent& e = *nodes_[n].event;
      const auto step = static_cast<Step>(e.step);
      const auto key = std::make_pair(nodes_[n].worker, std::uint32_t{e.cell});
      if (step == Step::kLock) {
        open[key] = n;
      } else if (step == Step::kUnlock) {
        const auto it = open.find(key);
        if (it == open.end()) return "an unlock without its lock";
        holds[e.cell].push_back({nodes_[it->second].event->t_end_ns, it->second, n});
        open.erase(it);
      }
    }
    for (auto& [lock, list] : holds) {
      std::sort(list.begin(), list.end(),
                [](const Hold& a, const Hold& b) { return a.acquired < b.acquired; });
      for (std::size_t i = 1; i < list.size(); ++i)
        edge(list[i - 1].unlock_node, list[i].lock_node);
    }
    return "";
  }

  // Any order that keeps the constraints replays the run; of those, the steps as they began.
  std::string sort(std::vector<ScheduleToken>& tokens) {
    using Ready = std::pair<std::int64_t, std::uint32_t>;
    std::priority_queue<Ready, std::vector<Ready>, std::greater<>> ready;
    for (std::uint32_t n = 0; n < nodes_.size(); ++n) {
      if (indegree_[n] == 0) ready.push({nodes_[n].event->t_begin_ns, n});
    }
    while (!ready.empty()) {
      const std::uint32_t n = ready.top().second;
      ready.pop();
      tokens.push_back({nodes_[n].worker, static_cast<Step>(nodes_[n].event->step)});
      for (std::uint32_t m : next_[n]) {
        if (--indegree_[m] == 0) ready.push({nodes_[m].event->t_begin_ns, m});
      }
    }
    if (tokens.size() != nodes_.size()) return "the observations contradict each other (a cycle)";
    return "";
  }

  const RunRecord& r_;
  const RunParams& p_;
  Family family_;
  bool ids_;  // writes carry ids (attributable strategies); else values order them
  std::vector<Node> nodes_;
  std::vector<std::vector<std::uint32_t>> next_;
  std::vector<std::uint32_t> indegree_;
  std::unordered_map<std::uint64_t, std::size_t> position_;      // ID mode: id → version
  std::map<std::uint32_t, std::vector<std::int64_t>> versions_;  // value mode: cell's values
};

}  // namespace

ObservedSchedule observe_schedule(const RunRecord& record) { return Builder(record).build(); }

}  // namespace shmlab
