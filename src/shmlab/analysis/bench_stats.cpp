#include "shmlab/analysis/bench_stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace shmlab {

double percentile(std::span<const double> values, double q) {
  if (values.empty()) throw std::invalid_argument("percentile of no values");
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

BenchSummary summarize(std::span<const BenchSample> samples) {
  BenchSummary s;
  s.repetitions = samples.size();
  s.samples.assign(samples.begin(), samples.end());
  if (samples.empty()) return s;
  auto column = [&](auto field) {
    std::vector<double> v;
    v.reserve(samples.size());
    for (const BenchSample& x : samples) v.push_back(field(x));
    return v;
  };
  const auto ops = column([](const BenchSample& x) { return x.ops_per_s; });
  s.ops_per_s = percentile(ops, 0.5);
  s.ops_per_s_p10 = percentile(ops, 0.1);
  s.ops_per_s_p90 = percentile(ops, 0.9);
  s.p50_ns = percentile(column([](const BenchSample& x) { return x.p50_ns; }), 0.5);
  s.p99_ns = percentile(column([](const BenchSample& x) { return x.p99_ns; }), 0.5);
  s.retries = percentile(column([](const BenchSample& x) { return double(x.retries); }), 0.5);
  s.retries_per_op =
      percentile(column([](const BenchSample& x) {
                   return x.ops_measured == 0 ? 0.0 : double(x.retries) / double(x.ops_measured);
                 }),
                 0.5);
  for (const BenchSample& x : samples) s.lost_updates = std::max(s.lost_updates, x.lost_updates);
  if (std::all_of(samples.begin(), samples.end(),
                  [](const BenchSample& x) { return x.lock_wait_share >= 0; })) {
    s.lock_wait_share =
        percentile(column([](const BenchSample& x) { return x.lock_wait_share; }), 0.5);
  }
  return s;
}

std::optional<double> ratio_to_bare(const BenchSummary& strategy,
                                    const std::optional<BenchSummary>& bare) {
  if (!bare || !(bare->ops_per_s > 0)) return std::nullopt;
  return strategy.ops_per_s / bare->ops_per_s;
}

std::vector<double> paired_ratios(const BenchSummary& strategy,
                                  const std::optional<BenchSummary>& bare) {
  std::vector<double> out;
  if (!bare || bare->samples.size() != strategy.samples.size()) return out;
  for (std::size_t i = 0; i < strategy.samples.size(); ++i) {
    const double ref = bare->samples[i].ops_per_s;
    if (!(ref > 0)) return {};
    out.push_back(strategy.samples[i].ops_per_s / ref);
  }
  return out;
}

std::optional<BarePrimitive> bare_primitive_for(Strategy strategy, Backend backend) {
  if (backend == Backend::kSqlite) return std::nullopt;
  // On a server the reference is pgbench running the same statements with as many clients.
  if (backend == Backend::kPostgres) {
    if (strategy == Strategy::kAtomic) return BarePrimitive::kPgbenchUpdate;
    if (strategy == Strategy::kForUpdate) return BarePrimitive::kPgbenchForUpdate;
    if (strategy == Strategy::kCas) return BarePrimitive::kPgbenchCas;
    if (strategy == Strategy::kTransaction) return BarePrimitive::kPgbenchTransaction;
    if (strategy == Strategy::kAdvisory) return BarePrimitive::kPgbenchAdvisory;
    return std::nullopt;
  }
  switch (strategy) {
    case Strategy::kNone:
      return BarePrimitive::kPlainStore;
    case Strategy::kMutex:
      return BarePrimitive::kRobustMutex;
    case Strategy::kSpinlock:
      return BarePrimitive::kSpinlock;
    case Strategy::kSemaphore:
      return BarePrimitive::kSemaphore;
    case Strategy::kFlock:
      return BarePrimitive::kFlock;
    case Strategy::kOfd:
      return BarePrimitive::kOfd;
    case Strategy::kAtomic:
      return BarePrimitive::kAtomicAdd;
    case Strategy::kCas:
      return BarePrimitive::kCasLoop;
    case Strategy::kSharded:
      return BarePrimitive::kShardedCell;
    case Strategy::kTransaction:
    case Strategy::kLease:
    case Strategy::kForUpdate:
    case Strategy::kAdvisory:
      return std::nullopt;
    case Strategy::kAccountLocks:
    case Strategy::kOrderedLocks:
      return BarePrimitive::kRobustMutex;  // one robust mutex per account
  }
  return std::nullopt;
}

}  // namespace shmlab
