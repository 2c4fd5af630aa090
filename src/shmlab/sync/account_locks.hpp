// AccountLocks: the per-account locks of `account-locks` and `ordered-locks` (bank), one robust
// mutex per account in the control block's lock table. Each acquisition keeps the table current —
// the worker's slot says which lock it waits for, the entry says who holds it — so that the
// coordinator can find a cycle in the wait-for graph (run/deadlock.hpp) and name it.
#pragma once

#include <atomic>
#include <cstdint>

#include "shmlab/control/control_block.hpp"
#include "shmlab/sync/lock.hpp"

namespace shmlab {

class AccountLocks {
 public:
  // `number`: the 1-based worker; `waiting_for`: its slot's field.
  AccountLocks(std::span<LockTableEntry> table, std::atomic<std::uint32_t>& waiting_for,
               std::int32_t number)
      : table_(table), waiting_for_(waiting_for), number_(number) {}

  LockResult lock(std::uint32_t account);
  void unlock(std::uint32_t account);

 private:
  std::span<LockTableEntry> table_;
  std::atomic<std::uint32_t>& waiting_for_;
  std::int32_t number_;
};

}  // namespace shmlab
