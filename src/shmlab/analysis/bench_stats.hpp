// The statistics of `shmlab bench`: percentiles over repetitions, and one row's summary — the
// median of K repetitions with the p10–p90 spread of its throughput, the worst lost-update count,
// and the ratio of a strategy to the bare loop of its primitive measured in the same run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "shmlab/bench/bench_runner.hpp"

namespace shmlab {

// The q-quantile (0..1) of `values`, interpolated linearly between closest ranks (q = 0.5 of an
// even count is the mean of the middle two). Throws std::invalid_argument when empty.
double percentile(std::span<const double> values, double q);

struct BenchSummary {
  std::size_t repetitions = 0;
  double ops_per_s = 0;      // median over repetitions
  double ops_per_s_p10 = 0;  // spread over repetitions
  double ops_per_s_p90 = 0;
  double p50_ns = 0;              // median over repetitions of each one's p50
  double p99_ns = 0;              // median over repetitions of each one's p99
  std::int64_t lost_updates = 0;  // the largest count of any repetition (0 for a correct strategy)
  double retries = 0;             // median over repetitions, counted in the measured window
  double retries_per_op = 0;      // median over repetitions
  std::optional<double> lock_wait_share;  // median; none when the operation takes no lock
  std::vector<BenchSample> samples;       // each repetition's own numbers, in the order measured
};

BenchSummary summarize(std::span<const BenchSample> samples);

// strategy ops/s ÷ bare ops/s; none when the bare loop did not run or did nothing.
std::optional<double> ratio_to_bare(const BenchSummary& strategy,
                                    const std::optional<BenchSummary>& bare);

// Each repetition's strategy ops/s ÷ the reference's of the same repetition (measured next to it:
// the pair shares the machine's load of that moment); empty unless both have every repetition.
std::vector<double> paired_ratios(const BenchSummary& strategy,
                                  const std::optional<BenchSummary>& bare);

// The bare primitive a strategy's operation is built on; none when there is no bare loop for it
// (the sqlite backend: its cost is SQLite's, not a primitive's). On postgres: pgbench's script of
// the same statements, for atomic, for-update, cas, transaction and advisory.
std::optional<BarePrimitive> bare_primitive_for(Strategy strategy, Backend backend);

}  // namespace shmlab
