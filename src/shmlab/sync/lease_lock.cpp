#include "shmlab/sync/lease_lock.hpp"

#include <sched.h>

#include "shmlab/region/region.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

// A waiter polls the record this often: a lease lasts milliseconds to seconds, and each poll is a
// write attempt on the storage (an UPDATE on sqlite), so no spinning.
constexpr std::int64_t kPollNs = 1'000'000;
constexpr std::uint32_t kYieldsBeforeSleep = 64;

std::int64_t now_ms() { return sys::monotonic_ns() / 1'000'000; }

}  // namespace

LeaseLock::LeaseLock(Region& region, std::uint32_t holder, std::uint32_t ttl_ms,
                     std::atomic<std::uint64_t>& expired)
    : region_(region), holder_(holder), ttl_ms_(ttl_ms), expired_(expired) {}

LockResult LeaseLock::try_lock() {
  const std::optional<LeaseGrant> g = region_.take_lease(holder_, now_ms(), ttl_ms_);
  if (!g) return LockResult::kBusy;
  token_ = g->token;
  taken_from_ = g->expired_holder;
  lost_ = false;
  return taken_from_ != 0 ? LockResult::kRecovered : LockResult::kAcquired;
}

LockResult LeaseLock::lock() {
  for (std::uint32_t attempt = 0;; ++attempt) {
    const LockResult r = try_lock();
    if (r != LockResult::kBusy) return r;
    // A holder's section is usually microseconds: yield first, then poll at kPollNs.
    if (attempt < kYieldsBeforeSleep) {
      ::sched_yield();
    } else {
      sys::sleep_ns(kPollNs);
    }
  }
}

void LeaseLock::forget() {
  if (lost_) return;
  lost_ = true;
  expired_.fetch_add(1, std::memory_order_relaxed);
}

void LeaseLock::unlock() {
  if (lost_) return;  // a refused write already told: the grant is another's now
  // Relaxed (in forget): a count for the report, read after the worker ended.
  if (!region_.release_lease(holder_, token_)) forget();
}

}  // namespace shmlab
