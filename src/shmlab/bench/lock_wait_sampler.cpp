#include "shmlab/bench/lock_wait_sampler.hpp"

#include <algorithm>

namespace shmlab {
namespace {

// The cheapest of a few back-to-back clock reads: what timing a lock adds to what it measures.
std::int64_t clock_cost_ns() {
  std::int64_t best = INT64_MAX;
  for (int i = 0; i < 64; ++i) {
    const std::int64_t t0 = sys::monotonic_ns();
    best = std::min(best, sys::monotonic_ns() - t0);
  }
  return best;
}

}  // namespace

LockWaitSampler::LockWaitSampler(std::uint64_t seed)
    : clock_cost_ns_(clock_cost_ns()), rng_(seed | 1) {}

// xorshift64: the sampled position only has to be spread over the batch, not unpredictable.
std::uint64_t LockWaitSampler::next_random() {
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  return rng_;
}

std::uint64_t LockWaitSampler::start_batch(std::uint64_t ops) {
  weight_ = ops;
  batch_wait_ns_ = 0;
  // Not always the first: it follows the worker's own pause between batches (clock reads, the
  // histogram), and sampling only there would see the lock at its least contended.
  return next_random() % ops;
}

void LockWaitSampler::end_batch(std::int64_t batch_ns) {
  // A batch cannot have waited longer than it lasted (one long sample × the batch size can say so).
  total_ns_ +=
      std::min(batch_wait_ns_, static_cast<std::uint64_t>(std::max<std::int64_t>(0, batch_ns)));
}

void LockWaitSampler::add_measured(std::int64_t ns) {
  if (ns > 0) batch_wait_ns_ += static_cast<std::uint64_t>(ns);
}

}  // namespace shmlab
