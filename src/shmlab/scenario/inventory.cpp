// The `inventory` scenario (the seed's "two purchases of the last item in stock"): one product with
// --stock S units; each operation of a worker is one purchase attempt: R reads the stock, and if it
// saw more than 0, W writes read − 1 and the buyer counts a sale; otherwise the purchase is
// declined. Invariant: units sold = initial − final stock, never more than the initial stock.
#include <fmt/format.h>

#include <algorithm>

#include "shmlab/scenario/registry.hpp"

namespace shmlab {
namespace {

class Inventory final : public ScenarioDef {
 public:
  Scenario id() const override { return Scenario::kInventory; }
  std::string_view name() const override { return "inventory"; }

  std::vector<CellSpec> cells(const RunParams& p) const override {
    return {{"stock", p.scenario_params.stock}};
  }

  std::string refusal(Strategy s) const override {
    switch (s) {
      case Strategy::kSharded:
        return "sharded gives each worker a cell of its own, and one stock cannot be split among "
               "buyers without changing what can be sold";
      case Strategy::kAccountLocks:
      case Strategy::kOrderedLocks:
        return "per-account locks need accounts: they belong to the bank scenario";
      default:
        return {};
    }
  }

  OpShape shape(const RunParams& p, std::uint32_t) const override {
    OpShape s;
    // atomic: one conditional decrement, nothing read before it.
    s.n_reads = strategy_info(p.strategy).family == Family::kAtomic ? 0 : 1;
    s.n_locks = 1;
    return s;
  }

  Decision decide(const RunParams&, std::uint32_t, std::span<const std::int64_t> reads,
                  bool atomic) const override {
    Decision d;
    d.n = 1;
    if (atomic) {
      d.changes[0] = {.cell = 0, .delta = -1, .floor = 0};  // refused at 0: declined
    } else if (reads[0] > 0) {
      d.changes[0] = {.cell = 0, .value = reads[0] - 1, .floor = {}};
    } else {
      d.declined = true;
    }
    return d;
  }

  std::int64_t measure(const RunParams&, std::span<const std::int64_t>,
                       std::uint64_t completed) const override {
    return static_cast<std::int64_t>(completed);
  }
  std::string_view measure_name() const override { return "units sold"; }
  std::int64_t expected_measure(const RunParams& p) const override {
    return std::min<std::int64_t>(
        p.scenario_params.stock,
        static_cast<std::int64_t>(std::uint64_t{p.workers} * p.increments));
  }

  void check(const RunParams& p) const override {
    if (p.scenario_params.stock < 0 || p.scenario_params.stock > kMaxCellValue)
      throw_usage(fmt::format("--stock {}: from 0 to {}", p.scenario_params.stock, kMaxCellValue));
  }

  std::string step_line(const RunParams&, std::uint32_t number, const StepEvent& e,
                        bool& success) const override {
    success = e.step != Step::kRead;
    switch (e.step) {
      case Step::kRead:
        return fmt::format("Buyer {} sees stock {}", number, e.before);
      case Step::kWrite:
        return fmt::format("Buyer {} bought one: stock {} → {}", number, e.before, e.after);
      case Step::kAtomic:
        if (!e.ok) {
          success = false;
          return fmt::format("Buyer {} found no stock left: declined", number);
        }
        return fmt::format("Buyer {} bought one: stock {} → {}", number, e.before, e.after);
      case Step::kCas:
        if (!e.ok) return {};
        return fmt::format("Buyer {} bought one: stock {} → {}", number, e.before, e.after);
      default:
        return {};
    }
  }
};

}  // namespace

const ScenarioDef& inventory_scenario() {
  static const Inventory instance;
  return instance;
}

}  // namespace shmlab
