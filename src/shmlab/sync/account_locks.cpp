#include "shmlab/sync/account_locks.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "shmlab/sync/robust_mutex.hpp"

namespace shmlab {

LockResult AccountLocks::lock(std::uint32_t account) {
  if (account >= table_.size())
    throw std::out_of_range(fmt::format("account lock {} of {}", account, table_.size()));
  LockTableEntry& e = table_[account];
  // Published before blocking, cleared after: a worker in the lock shows as waiting for it.
  waiting_for_.store(account + 1, std::memory_order_release);
  RobustMutex mutex(&e.mutex);
  const LockResult r = mutex.lock();
  e.holder.store(number_, std::memory_order_release);
  waiting_for_.store(0, std::memory_order_release);
  return r;
}

void AccountLocks::unlock(std::uint32_t account) {
  LockTableEntry& e = table_[account];
  std::int32_t me = number_;
  e.holder.compare_exchange_strong(me, 0, std::memory_order_acq_rel);
  ::pthread_mutex_unlock(&e.mutex);
}

}  // namespace shmlab
