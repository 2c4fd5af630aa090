#include "shmlab/report/explore_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "shmlab/region/backend.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

nlohmann::json witness_json(const std::optional<Witness>& w) {
  if (!w) return nullptr;
  return {{"final", w->final_value},
          {"schedule", w->schedule},
          {"replayed_final", w->replayed},
          {"confirmed", w->confirmed}};
}

std::string confirmation(const Witness& w) {
  return w.confirmed ? fmt::format("confirmed by replay: {}", w.replayed)
                     : fmt::format("NOT confirmed: the replay ended at {}", w.replayed);
}

}  // namespace

nlohmann::json explore_json(const ExploreResult& r, const RunParams& p, int exit_code) {
  nlohmann::json histogram = nlohmann::json::object();
  for (const auto& [value, count] : r.histogram) histogram[std::to_string(value)] = count;
  if (r.deadlocks != 0) histogram["deadlock"] = r.deadlocks;
  nlohmann::json j = {
      {"scenario", scenario_of(p.scenario).name()},
      {"measure", scenario_of(p.scenario).measure_name()},
      {"backend", backend_name(p.backend)},
      {"strategy", strategy_name(p.strategy)},
      {"workers", p.workers},
      {"increments", p.increments},
      {"expected", r.expected},
      {"interleavings", r.interleavings},
      {"total_interleavings", r.total ? nlohmann::json(*r.total) : nlohmann::json(nullptr)},
      // --reduce: the histogram (and `interleavings`) count classes of interleavings, not
      // schedules.
      {"reduced", r.classes.has_value()},
      {"classes", r.classes ? nlohmann::json(*r.classes) : nlohmann::json(nullptr)},
      {"exhaustive", r.exhaustive},
      {"method", r.method},
      {"extremes_exact", r.extremes_exact},
      {"histogram", std::move(histogram)},
      {"min", witness_json(r.min)},
      {"max", witness_json(r.max)},
      {"shortest_losing",
       r.shortest_losing ? nlohmann::json(r.shortest_losing->schedule) : nlohmann::json(nullptr)},
      {"shortest_losing_final", witness_json(r.shortest_losing)},
      {"deadlocks", r.deadlocks},
      {"shortest_deadlock", r.shortest_deadlock ? nlohmann::json(r.shortest_deadlock->schedule)
                                                : nlohmann::json(nullptr)},
      {"shortest_deadlock_confirmed", r.shortest_deadlock
                                          ? nlohmann::json(r.shortest_deadlock->confirmed)
                                          : nlohmann::json(nullptr)},
      {"model_mismatches", r.model_mismatches},
      {"replays", r.replays},
      // Issue 16: a pool of processes reused (pool_starts > 1: a worker died or got stuck and its
      // interleaving ran again on new processes), or new processes per interleaving.
      {"processes", r.pooled ? "pool" : "fresh"},
      {"pool_starts", r.pool_starts},
      {"pool_reruns", r.pool_reruns},
      {"pool_failure",
       r.pool_failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.pool_failure)},
      {"elapsed_ms", static_cast<double>(r.elapsed_ns) / 1e6},
      {"histogram_ms", static_cast<double>(r.histogram_ns) / 1e6},
      {"limit", r.limit != 0 ? nlohmann::json(r.limit) : nlohmann::json(nullptr)},
      {"limit_measured", r.limit_measured},
      {"abandoned_ms", static_cast<double>(r.abandoned_ns) / 1e6},
      {"interleavings_per_second", r.histogram_ns > 0 ? static_cast<double>(r.interleavings) * 1e9 /
                                                            static_cast<double>(r.histogram_ns)
                                                      : 0.0},
      {"exit_code", exit_code},
  };
  if (p.backend == Backend::kPostgres && p.strategy == Strategy::kTransaction)
    j["isolation"] = isolation_name(p.isolation);
  // postgres transactions of the server (StepModel::server_transactions()): overlapping ones run,
  // and the server's aborts (40001) are counted, each a retry.
  j["server_transactions"] = r.server_transactions;
  j["aborted_interleavings"] = r.aborted_interleavings;
  j["retries"] = r.retries;
  return j;
}

void print_explore(std::FILE* out, const ExploreResult& r, const RunParams& p) {
  const std::string total =
      r.total ? fmt::format("{}", *r.total) : std::string("too many to count");
  fmt::print(out, "shmlab explore: {} workers x {} increments, strategy {}{}, backend {}\n",
             p.workers, p.increments, strategy_name(p.strategy),
             p.backend == Backend::kPostgres && p.strategy == Strategy::kTransaction
                 ? fmt::format(" ({})", isolation_name(p.isolation))
                 : std::string(),
             backend_name(p.backend));
  if (r.server_transactions) {
    fmt::print(out,
               "Transactions: the server's (BEGIN waits for nothing; a write waits for the row "
               "lock of another open transaction), so they overlap\n");
  }
  fmt::print(out, "Interleavings: {} in all; {} run on real processes{} in {:.1f} s\n", total,
             r.interleavings,
             !r.exhaustive ? " (a sample)"
             : r.classes   ? " (one per class)"
                           : " (every one)",
             static_cast<double>(r.elapsed_ns) / 1e9);
  if (r.classes) {
    fmt::print(out,
               "Reduced (--reduce): {} classes of interleavings that differ only in the order of "
               "steps that do not conflict, one run each; the histogram counts classes, not "
               "schedules\n",
               *r.classes);
  }
  if (r.abandoned_ns != 0) {
    fmt::print(out,
               "Limit: running every one would take over a minute at the rate measured on the "
               "first {:.1f} s (limit {}): searching instead (--limit N to choose)\n",
               static_cast<double>(r.abandoned_ns) / 1e9, r.limit);
  }
  if (r.pooled) {
    fmt::print(
        out, "Processes: one pool of {} workers reused for every interleaving{}\n", p.workers,
        r.pool_reruns == 0
            ? std::string()
            : fmt::format(" ({} rerun on new processes after: {})", r.pool_reruns, r.pool_failure));
  } else {
    fmt::print(out, "Processes: new workers for every interleaving (--fresh-processes)\n");
  }
  fmt::print(out, "Extremes: {}\n", r.method);
  std::uint64_t most = std::max<std::uint64_t>(1, r.deadlocks);
  for (const auto& [value, count] : r.histogram) most = std::max(most, count);
  if (p.scenario == Scenario::kCounter) {
    fmt::print(out, "Final values{}:\n", r.exhaustive ? "" : " (of the sample)");
  } else {
    fmt::print(out, "Scenario {}: histogram of the {} (correct: {}){}:\n",
               scenario_of(p.scenario).name(), scenario_of(p.scenario).measure_name(), r.expected,
               r.exhaustive ? "" : " (of the sample)");
  }
  for (const auto& [value, count] : r.histogram) {
    const auto bar = static_cast<std::size_t>((count * 40 + most - 1) / most);
    fmt::print(out, "  {:>6} {:>8}  {}\n", value, count, std::string(bar, '#'));
  }
  if (r.deadlocks != 0) {
    const auto bar = static_cast<std::size_t>((r.deadlocks * 40 + most - 1) / most);
    fmt::print(out, "  deadlock {:>6}  {}\n", r.deadlocks, std::string(bar, '#'));
  }
  if (r.min) {
    fmt::print(out, "Minimum final {}{}: {}\n  ({})\n", r.min->final_value,
               r.extremes_exact ? "" : " (best found)", r.min->schedule, confirmation(*r.min));
  }
  if (r.max) {
    fmt::print(out, "Maximum final {}{}: {}\n  ({})\n", r.max->final_value,
               r.extremes_exact ? "" : " (best found)", r.max->schedule, confirmation(*r.max));
  }
  if (r.shortest_losing) {
    fmt::print(out,
               "Shortest schedule that loses an update: {}\n  (the rest runs worker by "
               "worker; final {}, {})\n",
               r.shortest_losing->schedule, r.shortest_losing->final_value,
               confirmation(*r.shortest_losing));
  } else if (r.extremes_exact) {
    fmt::print(out, "No interleaving loses an update: every one {}ends at {}\n",
               r.deadlocks != 0 ? "that completes " : "", r.expected);
  } else {
    fmt::print(out,
               "No interleaving that loses an update was found (the search is not "
               "exhaustive)\n");
  }
  if (r.shortest_deadlock) {
    fmt::print(out, "Shortest schedule that deadlocks: {}\n  ({})\n", r.shortest_deadlock->schedule,
               r.shortest_deadlock->confirmed
                   ? "confirmed by replay: the lock table showed the cycle"
                   : "NOT confirmed: the replay did not deadlock");
  } else if (p.strategy == Strategy::kAccountLocks || p.strategy == Strategy::kOrderedLocks) {
    fmt::print(out, "No interleaving deadlocks\n");
  }
  if (r.server_transactions) {
    fmt::print(out,
               "Server aborts (40001, rolled back and retried): in {} of the interleavings, {} "
               "retries in all\n",
               r.aborted_interleavings, r.retries);
  }
  if (r.model_mismatches != 0) {
    fmt::print(out, "Warning: {} run(s) ended where the step model did not predict\n",
               r.model_mismatches);
  }
}

}  // namespace shmlab
