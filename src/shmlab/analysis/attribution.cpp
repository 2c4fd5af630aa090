#include "shmlab/analysis/attribution.hpp"

#include <algorithm>
#include <limits>

namespace shmlab {
namespace {

constexpr std::uint64_t kOffChain = std::numeric_limits<std::uint64_t>::max();

class Writes {
 public:
  Writes(std::span<const std::vector<WriteEntry>> logs, std::uint64_t n) : logs_(logs), n_(n) {}
  const WriteEntry* find(std::uint64_t id) const {
    if (id == 0 || n_ == 0) return nullptr;
    const std::uint64_t w = (id - 1) / n_;
    const std::uint64_t op = (id - 1) % n_;
    if (w >= logs_.size() || op >= logs_[w].size()) return nullptr;
    return &logs_[w][op];
  }
  WriteRef ref(std::uint64_t id) const {
    const WriteEntry* e = find(id);
    const std::uint64_t from = e ? e->based_on : 0;
    return {static_cast<std::uint32_t>((id - 1) / n_ + 1),
            (id - 1) % n_ + 1,
            id,
            from,
            from != 0 ? static_cast<std::uint32_t>((from - 1) / n_ + 1) : 0,
            e ? e->value_read : 0,
            e ? e->value_written : 0};
  }
  std::uint64_t total() const { return logs_.size() * n_; }

 private:
  std::span<const std::vector<WriteEntry>> logs_;
  std::uint64_t n_;
};

// The first chain position at or after `from` whose write time is above `t` (0: none), in
// O(log n) with a max segment tree: scanning the chain for each lost write is quadratic.
class FirstAbove {
 public:
  explicit FirstAbove(const std::vector<std::int64_t>& times) : n_(times.size()) {
    while (size_ < n_) size_ *= 2;
    max_.assign(2 * size_, std::numeric_limits<std::int64_t>::min());
    for (std::size_t i = 0; i < n_; ++i) max_[size_ + i] = times[i];
    for (std::size_t i = size_ - 1; i >= 1; --i) max_[i] = std::max(max_[2 * i], max_[2 * i + 1]);
  }
  std::uint64_t first_above(std::uint64_t from, std::int64_t t) const {
    if (from == 0 || from > n_) return 0;
    const std::size_t i = find(1, 0, size_ - 1, from - 1, t);
    return i == kNone ? 0 : i + 1;
  }

 private:
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::size_t find(std::size_t node, std::size_t lo, std::size_t hi, std::size_t from,
                   std::int64_t t) const {
    if (hi < from || max_[node] <= t) return kNone;
    if (lo == hi) return lo;
    const std::size_t mid = lo + (hi - lo) / 2;
    const std::size_t left = find(2 * node, lo, mid, from, t);
    return left != kNone ? left : find(2 * node + 1, mid + 1, hi, from, t);
  }
  std::size_t n_;
  std::size_t size_ = 1;
  std::vector<std::int64_t> max_;
};

// Where every write of the cell said what it replaced, the writes form one sequence from the
// initial record: next_on_chain[id] is the first write of the final chain after write `id` in that
// sequence (0: unknown: a write that did not say, or the end). A lost write's eraser is exactly
// that write: the first one that replaced the state it had left and never saw it.
std::vector<std::uint64_t> exact_order(const Writes& writes,
                                       const std::vector<std::uint64_t>& position) {
  const std::uint64_t n = writes.total();
  std::vector<std::uint64_t> next_on_chain(n + 1, 0);
  std::vector<std::uint64_t> successor(n + 1, 0);
  for (std::uint64_t id = 1; id <= n; ++id) {
    const WriteEntry* e = writes.find(id);
    if (e == nullptr || (e->logged & WriteEntry::kReplacedExact) == 0 || e->replaced > n) continue;
    if (successor[e->replaced] != 0) return next_on_chain;  // two claim one record: not evidence
    successor[e->replaced] = id;
  }
  std::vector<std::uint64_t> order;
  for (std::uint64_t id = successor[0]; id != 0 && order.size() <= n; id = successor[id])
    order.push_back(id);
  if (order.size() > n) return next_on_chain;  // a cycle: garbage logs
  std::uint64_t next = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    next_on_chain[*it] = next;
    if (position[*it] != kOffChain) next = *it;
  }
  return next_on_chain;
}

}  // namespace

Attribution attribute(std::span<const std::vector<WriteEntry>> logs, std::uint64_t increments,
                      std::uint64_t final_id) {
  Attribution out;
  const Writes writes(logs, increments);
  // position[id] = index on the chain counted from the initial record (1 = first increment).
  std::vector<std::uint64_t> position(writes.total() + 1, kOffChain);
  std::vector<std::uint64_t> chain;  // ids, final first
  for (std::uint64_t id = final_id; id != 0;) {
    const WriteEntry* e = writes.find(id);
    if (e == nullptr || position[id] != kOffChain || chain.size() > writes.total()) {
      out.consistent = false;
      break;
    }
    chain.push_back(id);
    position[id] = 0;
    id = e->based_on;
  }
  for (std::size_t i = 0; i < chain.size(); ++i) position[chain[i]] = chain.size() - i;
  out.chain_length = chain.size();
  position[0] = 0;  // the initial record is the root of the chain

  auto chain_at = [&](std::uint64_t pos) { return chain[chain.size() - pos]; };
  // A write without a stamp before it (logs of older runs, tests) is taken as instantaneous.
  auto t_before = [&](const WriteEntry& e) {
    return e.t_before_ns != 0 ? e.t_before_ns : e.t_write_ns;
  };
  std::vector<std::int64_t> chain_times(chain.size());
  for (std::uint64_t pos = 1; pos <= chain.size(); ++pos)
    chain_times[pos - 1] = writes.find(chain_at(pos))->t_write_ns;
  const FirstAbove written_after(chain_times);
  const std::vector<std::uint64_t> next_on_chain = exact_order(writes, position);
  // branch[a]: chain position of the nearest on-chain ancestor of off-chain write a (memoised:
  // lost writes often build on each other, and walking each one's ancestry anew is quadratic).
  std::vector<std::uint64_t> branch(writes.total() + 1, kOffChain);
  std::vector<std::uint64_t> path;
  auto branch_of = [&](std::uint64_t a) {
    path.clear();
    std::uint64_t from = 0;
    while (a != 0) {
      if (position[a] != kOffChain) {
        from = position[a];
        break;
      }
      if (branch[a] != kOffChain) {
        from = branch[a];
        break;
      }
      if (path.size() > writes.total()) break;  // a cycle: only garbage logs have one
      path.push_back(a);
      const WriteEntry* up = writes.find(a);
      a = up ? up->based_on : 0;
    }
    for (std::uint64_t p : path) branch[p] = from;
    return from;
  };
  for (std::uint64_t id = 1; id <= writes.total(); ++id) {
    const WriteEntry* e = writes.find(id);
    if (e == nullptr || e->t_write_ns == 0 || position[id] != kOffChain) continue;
    // The branch point: the nearest ancestor on the chain.
    const std::uint64_t from = branch_of(e->based_on);
    if (from >= chain.size()) {
      out.consistent = false;  // nothing on the chain came after the branch point
      continue;
    }
    if (next_on_chain[id] != 0) {
      out.lost.push_back(
          {writes.ref(id), writes.ref(next_on_chain[id]), 0, EraserEvidence::kExchange});
      continue;
    }
    // By the stamps: the first chain write after the branch point not surely written before this
    // one (its write ended before this one began); if it may have begun before this one ended,
    // their order is unknown.
    // (Logs without a stamp before the write count a write as the instant of its stamp.)
    const std::int64_t began = e->t_before_ns != 0 ? e->t_before_ns - 1 : e->t_write_ns;
    const std::uint64_t pos = written_after.first_above(from + 1, began);
    const std::uint64_t eraser = chain_at(pos != 0 ? pos : from + 1);
    const bool after = t_before(*writes.find(eraser)) > e->t_write_ns;
    out.lost.push_back({writes.ref(id), writes.ref(eraser), 0,
                        after ? EraserEvidence::kStamps : EraserEvidence::kAmbiguous});
  }
  // In the order the lost writes happened, as a reader follows the timeline.
  std::stable_sort(out.lost.begin(), out.lost.end(), [&](const LostUpdate& a, const LostUpdate& b) {
    return writes.find(a.lost.id)->t_write_ns < writes.find(b.lost.id)->t_write_ns;
  });
  return out;
}

std::string_view evidence_name(EraserEvidence e) {
  switch (e) {
    case EraserEvidence::kExchange:
      return "exchange";
    case EraserEvidence::kStamps:
      return "stamps";
    case EraserEvidence::kAmbiguous:
      return "ambiguous";
  }
  return "?";
}

Attribution attribute_cells(std::span<const std::vector<WriteEntry>> logs, std::uint64_t increments,
                            std::uint32_t per_op, std::span<const std::uint64_t> final_ids) {
  Attribution out;
  // Cell c's writes, one entry per operation (an operation writes a cell at most once); one
  // buffer for every cell, so that memory stays that of one log.
  std::vector<std::vector<WriteEntry>> mine(logs.size());
  for (std::uint32_t c = 0; c < final_ids.size(); ++c) {
    for (std::size_t w = 0; w < logs.size(); ++w) {
      mine[w].assign(increments, WriteEntry{});
      for (std::uint64_t op = 0; op < increments; ++op) {
        for (std::uint32_t k = 0; k < per_op; ++k) {
          const std::uint64_t i = op * per_op + k;
          if (i < logs[w].size() && logs[w][i].logged != 0 && logs[w][i].cell == c)
            mine[w][op] = logs[w][i];
        }
      }
    }
    Attribution a = attribute(mine, increments, final_ids[c]);
    for (LostUpdate& l : a.lost) {
      l.cell = c;
      out.lost.push_back(l);
    }
    out.chain_length += a.chain_length;
    out.consistent = out.consistent && a.consistent;
  }
  return out;
}

}  // namespace shmlab
