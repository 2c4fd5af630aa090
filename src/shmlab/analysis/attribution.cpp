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
  for (std::uint64_t id = 1; id <= writes.total(); ++id) {
    const WriteEntry* e = writes.find(id);
    if (e == nullptr || e->t_write_ns == 0 || position[id] != kOffChain) continue;
    // The branch point: the nearest ancestor on the chain.
    std::uint64_t a = e->based_on;
    std::uint64_t hops = 0;
    while (a != 0 && position[a] == kOffChain && hops++ <= writes.total()) {
      const WriteEntry* up = writes.find(a);
      a = up ? up->based_on : 0;
    }
    const std::uint64_t from = position[a] == kOffChain ? 0 : position[a];
    if (from >= chain.size()) {
      out.consistent = false;  // nothing on the chain came after the branch point
      continue;
    }
    std::uint64_t eraser = chain_at(from + 1);
    for (std::uint64_t pos = from + 1; pos <= chain.size(); ++pos) {
      const WriteEntry* c = writes.find(chain_at(pos));
      if (c->t_write_ns > e->t_write_ns) {
        eraser = chain_at(pos);
        break;
      }
    }
    out.lost.push_back({writes.ref(id), writes.ref(eraser)});
  }
  // In the order the lost writes happened, as a reader follows the timeline.
  std::stable_sort(out.lost.begin(), out.lost.end(), [&](const LostUpdate& a, const LostUpdate& b) {
    return writes.find(a.lost.id)->t_write_ns < writes.find(b.lost.id)->t_write_ns;
  });
  return out;
}

}  // namespace shmlab
