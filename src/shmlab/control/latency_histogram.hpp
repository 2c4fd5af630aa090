// LatencyHistogram: per-operation latencies of one bench worker, log-bucketed (16 buckets per
// power of two, about 4.4 % wide) from 1/4 ns to about 17 s. It lives in shared memory (the bench
// block), is written by one worker only and read by the runner after that worker has exited.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace shmlab {

struct LatencyHistogram {
  static constexpr int kSubBuckets = 16;  // per power of two
  static constexpr int kLowOctave = -2;   // the first bucket starts at 2^-2 ns
  static constexpr int kOctaves = 36;     // up to 2^34 ns
  static constexpr int kBuckets = kSubBuckets * kOctaves;

  std::array<std::uint64_t, kBuckets> counts{};

  static int bucket_of(double ns) {
    if (!(ns > 0)) return 0;
    const double pos = (std::log2(ns) - kLowOctave) * kSubBuckets;
    return std::clamp(static_cast<int>(pos), 0, kBuckets - 1);
  }
  // The geometric middle of a bucket, what a percentile that falls in it reports.
  static double value_of(int bucket) {
    return std::exp2((bucket + 0.5) / kSubBuckets + kLowOctave);
  }
  // `weight` operations took `ns` each (a batch timed as a whole).
  void add(double ns, std::uint64_t weight) { counts[bucket_of(ns)] += weight; }
  void merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts[i] += other.counts[i];
  }
  std::uint64_t total() const {
    std::uint64_t n = 0;
    for (std::uint64_t c : counts) n += c;
    return n;
  }
  // The q-quantile (0..1) in ns; 0 when empty.
  double quantile(double q) const {
    const std::uint64_t n = total();
    if (n == 0) return 0;
    const auto rank =
        static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(n)));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts[i];
      if (seen >= std::max<std::uint64_t>(rank, 1)) return value_of(i);
    }
    return value_of(kBuckets - 1);
  }
};

static_assert(std::is_trivially_copyable_v<LatencyHistogram>);

}  // namespace shmlab
