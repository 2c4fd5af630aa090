#include "shmlab/control/lock_table.hpp"

#include <algorithm>

namespace shmlab {

std::vector<WaitLink> find_wait_cycle(const ControlBlock& control) {
  const std::uint32_t n = control.params().workers;
  const ControlHeader& h = control.header();
  // next[i]: the worker i waits for (0-based), or n: none. waits[i]: the lock.
  std::vector<std::uint32_t> next(n, n);
  std::vector<std::uint32_t> waits(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t w = control.slot(i).waiting_for.load(std::memory_order_acquire);
    if (w == 0 || w > kMaxAccounts) continue;
    const std::int32_t holder = h.locks[w - 1].holder.load(std::memory_order_acquire);
    if (holder <= 0 || static_cast<std::uint32_t>(holder) > n ||
        static_cast<std::uint32_t>(holder) == i + 1)
      continue;
    next[i] = static_cast<std::uint32_t>(holder) - 1;
    waits[i] = w - 1;
  }
  // Each node has at most one outgoing edge: follow from every start, colouring as we go.
  std::vector<std::uint8_t> state(n, 0);  // 0 unseen, 1 on the current path, 2 done
  for (std::uint32_t start = 0; start < n; ++start) {
    std::vector<std::uint32_t> path;
    std::uint32_t v = start;
    while (v < n && state[v] == 0) {
      state[v] = 1;
      path.push_back(v);
      v = next[v];
    }
    if (v < n && state[v] == 1) {  // back on the current path: a cycle from v
      auto it = std::find(path.begin(), path.end(), v);
      std::vector<std::uint32_t> cycle(it, path.end());
      std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
      std::vector<WaitLink> out;
      for (std::size_t k = 0; k < cycle.size(); ++k) {
        const std::uint32_t prev = cycle[(k + cycle.size() - 1) % cycle.size()];
        out.push_back({cycle[k] + 1, waits[prev], waits[cycle[k]]});
      }
      return out;
    }
    for (std::uint32_t u : path) state[u] = 2;
  }
  return {};
}

}  // namespace shmlab
