// The `bank` scenario (the seed's "race in bank transfers"): --accounts K accounts of --balance B;
// worker w (1-based) moves --amount X from account (w−1) mod K to account w mod K in each of its
// operations: R from, R to; if the from balance read is at least X, W from (read − X), W to
// (read + X); otherwise the transfer is declined. Invariant: the total is conserved, no balance is
// below 0, and each account ends at its initial balance plus the transfers that completed.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "shmlab/scenario/registry.hpp"

namespace shmlab {
namespace {

std::uint32_t from_of(const RunParams& p, std::uint32_t worker) {
  return worker % p.scenario_params.accounts;
}
std::uint32_t to_of(const RunParams& p, std::uint32_t worker) {
  return (worker + 1) % p.scenario_params.accounts;
}

class Bank final : public ScenarioDef {
 public:
  Scenario id() const override { return Scenario::kBank; }
  std::string_view name() const override { return "bank"; }

  std::vector<CellSpec> cells(const RunParams& p) const override {
    std::vector<CellSpec> out;
    for (std::uint32_t i = 0; i < p.scenario_params.accounts; ++i) {
      std::string name(1, static_cast<char>('A' + i % 26));
      if (i >= 26) name += std::to_string(i / 26);
      out.push_back({std::move(name), p.scenario_params.balance});
    }
    return out;
  }

  std::string refusal(Strategy s) const override {
    switch (s) {
      case Strategy::kSharded:
        return "a transfer moves money between two accounts; sharded gives each worker a cell of "
               "its own";
      case Strategy::kCas:
        return "a transfer writes two accounts, and one compare-and-swap covers one cell";
      case Strategy::kLease:
        return "a transfer writes two accounts, and a fenced write guards one: a late transfer "
               "could land half";
      default:
        return {};
    }
  }

  void check(const RunParams& p) const override {
    const ScenarioParams& b = p.scenario_params;
    if (b.accounts < 2 || b.accounts > kMaxAccounts)
      throw_usage(fmt::format("--accounts {}: from 2 to {}", b.accounts, kMaxAccounts));
    if (b.balance < 0 || b.balance > kMaxCellValue / kMaxAccounts)
      throw_usage(
          fmt::format("--balance {}: from 0 to {}", b.balance, kMaxCellValue / kMaxAccounts));
    // Every worker passing one overdraft check at once stays within the cells' negative range.
    if (b.amount < 1 || b.amount > kMaxCellValue / kMaxWorkers)
      throw_usage(fmt::format("--amount {}: from 1 to {}", b.amount, kMaxCellValue / kMaxWorkers));
  }

  OpShape shape(const RunParams& p, std::uint32_t worker) const override {
    const std::uint32_t from = from_of(p, worker);
    const std::uint32_t to = to_of(p, worker);
    OpShape s;
    s.reads = {from, to};
    // atomic: the overdraft check reads the from account; the adds need no read.
    s.n_reads = strategy_info(p.strategy).family == Family::kAtomic ? 1 : 2;
    switch (p.strategy) {
      case Strategy::kAccountLocks:
        s.locks = {from, to};
        s.n_locks = 2;
        break;
      case Strategy::kOrderedLocks:
        s.locks = {std::min(from, to), std::max(from, to)};
        s.n_locks = 2;
        break;
      default:
        s.n_locks = 1;  // the strategy's one lock
        break;
    }
    return s;
  }

  Decision decide(const RunParams& p, std::uint32_t worker, std::span<const std::int64_t> reads,
                  bool atomic) const override {
    const std::int64_t x = p.scenario_params.amount;
    const std::uint32_t from = from_of(p, worker);
    const std::uint32_t to = to_of(p, worker);
    Decision d;
    if (reads[0] < x) {
      d.declined = true;
      return d;
    }
    d.n = 2;
    if (atomic) {
      d.changes[0] = {.cell = from, .delta = -x, .floor = {}};
      d.changes[1] = {.cell = to, .delta = x, .floor = {}};
    } else {
      d.changes[0] = {.cell = from, .value = reads[0] - x, .floor = {}};
      d.changes[1] = {.cell = to, .value = reads[1] + x, .floor = {}};
    }
    return d;
  }

  std::int64_t measure(const RunParams&, std::span<const std::int64_t> cells,
                       std::uint64_t) const override {
    return std::accumulate(cells.begin(), cells.end(), std::int64_t{0});
  }
  std::string_view measure_name() const override { return "total money"; }
  std::int64_t expected_measure(const RunParams& p) const override {
    return p.scenario_params.balance * p.scenario_params.accounts;
  }

  std::string step_line(const RunParams& p, std::uint32_t number, const StepEvent& e,
                        bool& success) const override {
    success = e.step != Step::kRead;
    const std::string account = cell_name(p, e.cell);
    switch (e.step) {
      case Step::kRead:
        return fmt::format("Worker {} read {}: {}", number, account, e.before);
      case Step::kWrite:
        return fmt::format("Worker {} wrote {}: {} → {}", number, account, e.before, e.after);
      case Step::kAtomic:
        return fmt::format("Worker {} added {} to {}: {} → {}", number, e.after - e.before, account,
                           e.before, e.after);
      default:
        return {};
    }
  }
};

}  // namespace

const ScenarioDef& bank_scenario() {
  static const Bank instance;
  return instance;
}

}  // namespace shmlab
