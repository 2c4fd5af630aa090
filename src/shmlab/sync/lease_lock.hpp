// LeaseLock: the `lease` strategy, a lock that expires. The lease record lives with the data (the
// region: one word after the cells of mmap/shm, a row of sqlite) and is taken with one atomic step
// of the storage; a holder that stalls past --lease MS loses it to the next taker without knowing.
// Each grant carries a token that grows: under --fencing the worker's writes carry it and the
// storage refuses a write whose token is older than its newest grant (docs/lease.md). One per
// worker process; nothing to create or unlink beyond the region.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "shmlab/sync/lock.hpp"

namespace shmlab {

class LeaseLock final : public Lock {
 public:
  // `holder`: the 1-based worker number; `expired`: counts releases that found the lease taken
  // over (it had expired while this worker believed it held it).
  LeaseLock(Region& region, std::uint32_t holder, std::uint32_t ttl_ms,
            std::atomic<std::uint64_t>& expired);

  // Waits until the lease is free or its holder's grant has expired. kRecovered: taken over from
  // a holder whose lease expired (it may still be running and believe it holds it).
  LockResult lock() override;
  LockResult try_lock() override;
  void unlock() override;
  std::string_view what() const override { return "lease"; }

  // The token of the current (or last) grant: what a fenced write carries.
  std::uint64_t token() const { return token_; }
  // The worker this grant took the lease from (its lease had expired); 0: none.
  std::uint32_t taken_from() const { return taken_from_; }
  // Whether the last unlock() found the lease taken over.
  bool lost() const { return lost_; }
  // Forgets the grant without releasing it: a fenced write showed it was taken over.
  void forget();

 private:
  Region& region_;
  std::uint32_t holder_;
  std::uint32_t ttl_ms_;
  std::atomic<std::uint64_t>& expired_;
  std::uint64_t token_ = 0;
  std::uint32_t taken_from_ = 0;
  bool lost_ = false;
};

}  // namespace shmlab
