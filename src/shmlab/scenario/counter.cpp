// The `counter` scenario: read the counter, write read + 1.
#include <fmt/format.h>

#include <numeric>

#include "shmlab/scenario/registry.hpp"

namespace shmlab {
namespace {

class Counter final : public ScenarioDef {
 public:
  Scenario id() const override { return Scenario::kCounter; }
  std::string_view name() const override { return "counter"; }

  std::vector<CellSpec> cells(const RunParams& p) const override {
    const std::int64_t initial = p.scenario_params.initial;
    if (p.strategy != Strategy::kSharded) return {{"counter", initial}};
    // Sharded: the counter is the sum of the shards; the first holds the start value.
    std::vector<CellSpec> out;
    for (std::uint32_t i = 0; i < p.workers; ++i)
      out.push_back({fmt::format("counter[{}]", i + 1), i == 0 ? initial : 0});
    return out;
  }

  std::string refusal(Strategy s) const override {
    if (s == Strategy::kAccountLocks || s == Strategy::kOrderedLocks)
      return "per-account locks need accounts: they belong to the bank scenario";
    return {};
  }

  OpShape shape(const RunParams& p, std::uint32_t worker) const override {
    const Family f = strategy_info(p.strategy).family;
    const std::uint32_t cell = f == Family::kSharded ? worker : 0;
    OpShape s;
    s.reads = {cell, 0};
    s.n_reads = f == Family::kAtomic ? 0 : 1;
    s.locks = {0, 0};
    s.n_locks = 1;
    return s;
  }

  Decision decide(const RunParams& p, std::uint32_t worker, std::span<const std::int64_t> reads,
                  bool atomic) const override {
    const std::uint32_t cell = shape(p, worker).reads[0];
    Decision d;
    d.n = 1;
    d.changes[0] = atomic ? Change{.cell = cell, .delta = 1, .floor = {}}
                          : Change{.cell = cell, .value = reads[0] + 1, .floor = {}};
    return d;
  }

  bool has_verify() const override { return true; }

  std::int64_t measure(const RunParams&, std::span<const std::int64_t> cells,
                       std::uint64_t) const override {
    return std::accumulate(cells.begin(), cells.end(), std::int64_t{0});
  }
  std::string_view measure_name() const override { return "final counter value"; }
  std::int64_t expected_measure(const RunParams& p) const override {
    return p.scenario_params.initial +
           static_cast<std::int64_t>(std::uint64_t{p.workers} * p.increments);
  }

  void check(const RunParams& p) const override {
    const std::int64_t initial = p.scenario_params.initial;
    if (initial < 0 || initial > kMaxCellValue)
      throw_usage(fmt::format("--initial {}: from 0 to {}", initial, kMaxCellValue));
  }

  std::string step_line(const RunParams&, std::uint32_t number, const StepEvent& e,
                        bool& success) const override {
    switch (e.step) {
      case Step::kRead:
        success = false;
        return fmt::format("Worker {} read counter: {}", number, e.before);
      case Step::kWrite:
        success = true;
        return fmt::format("Worker {} incremented counter: {} → {}", number, e.before, e.after);
      default:
        return {};
    }
  }
};

}  // namespace

const ScenarioDef& counter_scenario() {
  static const Counter instance;
  return instance;
}

}  // namespace shmlab
