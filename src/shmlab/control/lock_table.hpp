// The lock table's wait-for graph (control_block.hpp: LockTableEntry::holder, and each worker's
// WorkerSlot::waiting_for): worker i waits for lock l, which worker j holds → an edge i → j. A
// cycle is a deadlock: every worker on it holds the lock the previous one waits for.
#pragma once

#include <cstdint>
#include <vector>

#include "shmlab/control/control_block.hpp"

namespace shmlab {

struct WaitLink {
  std::uint32_t worker = 0;     // 1-based
  std::uint32_t holds = 0;      // the lock it holds that the previous worker of the cycle wants
  std::uint32_t waits_for = 0;  // the lock it waits for (the next worker holds it)
  bool operator==(const WaitLink&) const = default;
};

// A cycle of the wait-for graph as the table shows it now, starting from its lowest-numbered
// worker; empty when there is none. One look can catch a worker between taking a lock and
// publishing it: the caller confirms a cycle by seeing it again, with its workers idle, later.
std::vector<WaitLink> find_wait_cycle(const ControlBlock& control);

}  // namespace shmlab
