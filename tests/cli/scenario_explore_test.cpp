// `shmlab explore --scenario inventory|bank` against an independent model written here: a tiny
// brute-force enumerator of every interleaving of 2 workers' steps, with each scenario's rules
// written again from the text (not from the code's step model). The histograms of real
// runs must match it exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using Histogram = std::map<std::int64_t, std::uint64_t>;

struct Sim {
  std::vector<std::int64_t> cells;
  std::int64_t sold = 0;
};
struct Worker {
  int ops = 0;
  int pc = 0;
  std::int64_t r0 = 0;
  std::int64_t r1 = 0;
};

// One step of worker w: returns false when it has nothing left to do.
using StepFn = std::function<bool(Sim&, Worker&, int w)>;

void enumerate(Sim sim, std::vector<Worker> ws, const StepFn& step, int ops,
               const std::function<std::int64_t(const Sim&)>& measure, Histogram& out) {
  bool any = false;
  for (int w = 0; w < static_cast<int>(ws.size()); ++w) {
    if (ws[w].ops == ops) continue;
    any = true;
    Sim s = sim;
    std::vector<Worker> next = ws;
    step(s, next[w], w);
    enumerate(s, next, step, ops, measure, out);
  }
  if (!any) ++out[measure(sim)];
}

// Inventory, no protection: R reads the stock; if it was above 0, W writes read − 1 (a sale).
bool inventory_step(Sim& s, Worker& me, int) {
  if (me.pc == 0) {
    me.r0 = s.cells[0];
    if (me.r0 > 0) {
      me.pc = 1;
    } else {
      ++me.ops;  // declined: no write
    }
  } else {
    s.cells[0] = me.r0 - 1;
    ++s.sold;
    me.pc = 0;
    ++me.ops;
  }
  return true;
}

// Bank, no protection, accounts A and B; worker 1 moves A → B, worker 2 B → A, `amount` each.
StepFn bank_step(std::int64_t amount) {
  return [amount](Sim& s, Worker& me, int w) {
    const int from = w % 2;
    const int to = (w + 1) % 2;
    switch (me.pc) {
      case 0:
        me.r0 = s.cells[from];
        me.pc = 1;
        break;
      case 1:
        me.r1 = s.cells[to];
        if (me.r0 >= amount) {
          me.pc = 2;
        } else {
          me.pc = 0;
          ++me.ops;  // declined
        }
        break;
      case 2:
        s.cells[from] = me.r0 - amount;
        me.pc = 3;
        break;
      default:
        s.cells[to] = me.r1 + amount;
        me.pc = 0;
        ++me.ops;
        break;
    }
    return true;
  };
}

Histogram explored(const std::vector<std::string>& args, nlohmann::json* result = nullptr) {
  TempDir tmp;
  // The limit is given: a measured one (the default) may turn these into a search on a slow build.
  std::vector<std::string> all = {"explore", "--backend", "shm", "--limit", "1000000", "--json"};
  all.insert(all.end(), args.begin(), args.end());
  const Outcome o = run_shmlab(all, tmp, 300);
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const nlohmann::json j = parse_result(o);
  EXPECT_EQ(j["exhaustive"], true);
  EXPECT_EQ(j["model_mismatches"], 0);
  Histogram h;
  for (const auto& [k, v] : j["histogram"].items()) h[std::stoll(k)] = v.get<std::uint64_t>();
  if (result != nullptr) *result = j;
  expect_nothing_left(o, tmp);
  return h;
}

TEST(ScenarioExplore, InventoryHistogramOfUnitsSoldMatchesABruteForceModel) {
  for (int ops : {1, 2}) {
    const std::int64_t stock = ops == 1 ? 1 : 2;
    Histogram want;
    enumerate(
        {{stock}, 0}, std::vector<Worker>(2), inventory_step, ops,
        [](const Sim& s) { return s.sold; }, want);
    nlohmann::json j;
    const Histogram got = explored({"--scenario", "inventory", "--stock", std::to_string(stock),
                                    "-w", "2", "-n", std::to_string(ops)},
                                   &j);
    EXPECT_EQ(got, want) << "ops " << ops;
    EXPECT_EQ(j["expected"], stock);
    EXPECT_EQ(j["measure"], "units sold");
    // The extremes are replayed on real processes and say so.
    EXPECT_EQ(j["max"]["confirmed"], true);
    EXPECT_EQ(j["max"]["final"], want.rbegin()->first);
    // Selling a unit twice is what inventory loses: the shortest schedule that does it is named.
    EXPECT_FALSE(j["shortest_losing"].is_null()) << j.dump();
  }
}

TEST(ScenarioExplore, BankHistogramOfTotalMoneyMatchesABruteForceModel) {
  for (const std::int64_t balance : {100, 200}) {
    Histogram want;
    enumerate(
        {{balance, balance}, 0}, std::vector<Worker>(2), bank_step(100), 1,
        [](const Sim& s) { return s.cells[0] + s.cells[1]; }, want);
    nlohmann::json j;
    const Histogram got =
        explored({"--scenario", "bank", "--accounts", "2", "--balance", std::to_string(balance),
                  "--amount", "100", "-w", "2", "-n", "1"},
                 &j);
    EXPECT_EQ(got, want) << "balance " << balance;
    EXPECT_EQ(j["expected"], 2 * balance);
    EXPECT_EQ(j["min"]["confirmed"], true);
  }
}

TEST(ScenarioExplore, CorrectStrategiesHaveOneOutcome) {
  const Histogram inv = explored(
      {"--scenario", "inventory", "--stock", "1", "-w", "2", "-n", "2", "--strategy", "mutex"});
  EXPECT_EQ(inv, (Histogram{{1, inv.begin()->second}}));
  const Histogram bank = explored({"--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "1",
                                   "--strategy", "ordered-locks"});
  EXPECT_EQ(bank, (Histogram{{2000, bank.begin()->second}}));
}

// ---- deadlocks: per-account locks, written again from the text ----

// Worker w (0-based) of the bank moves money from account w mod K to (w + 1) mod K; under
// account-locks it locks from, then to; under ordered-locks the lower account first. Then it reads
// both, writes both (no money is short here), and unlocks in reverse order. A worker whose next
// lock another holds cannot move; when no unfinished worker can move, the interleaving deadlocked.
struct LockedCounts {
  std::uint64_t completed = 0;
  std::uint64_t deadlocked = 0;
  std::size_t shortest_deadlock = SIZE_MAX;  // steps into the first deadlock, fewest
};

void enumerate_locked(std::vector<int>& holder, std::vector<int>& pc, std::vector<int>& ops,
                      int accounts, int n, bool ordered, std::size_t depth, LockedCounts& out) {
  const int workers = static_cast<int>(pc.size());
  auto locks_of = [&](int w) {
    int first = w % accounts;
    int second = (w + 1) % accounts;
    if (ordered && second < first) std::swap(first, second);
    return std::pair{first, second};
  };
  bool unfinished = false;
  bool moved = false;
  for (int w = 0; w < workers; ++w) {
    if (ops[w] == n) continue;
    unfinished = true;
    const auto [first, second] = locks_of(w);
    // Steps: 0 L first, 1 L second, 2 R, 3 R, 4 W, 5 W, 6 U second, 7 U first.
    const int want = pc[w] == 0 ? first : pc[w] == 1 ? second : -1;
    if (want >= 0 && holder[want] != -1) continue;  // blocked
    const std::vector<int> saved_holder = holder;
    const int saved_pc = pc[w], saved_ops = ops[w];
    if (want >= 0) holder[want] = w;
    if (pc[w] == 6) holder[second] = -1;
    if (pc[w] == 7) holder[first] = -1;
    if (++pc[w] == 8) pc[w] = 0, ++ops[w];
    moved = true;
    enumerate_locked(holder, pc, ops, accounts, n, ordered, depth + 1, out);
    holder = saved_holder;
    pc[w] = saved_pc;
    ops[w] = saved_ops;
  }
  if (!unfinished) {
    ++out.completed;
  } else if (!moved) {
    ++out.deadlocked;
    out.shortest_deadlock = std::min(out.shortest_deadlock, depth);
  }
}

LockedCounts locked_model(int workers, int accounts, int n, bool ordered) {
  std::vector<int> holder(accounts, -1), pc(workers, 0), ops(workers, 0);
  LockedCounts out;
  enumerate_locked(holder, pc, ops, accounts, n, ordered, 0, out);
  return out;
}

// `explore` of the bank under per-account locks: every interleaving on real processes when there
// are at most `limit`, else the model's count and a sample of `limit` real runs.
nlohmann::json explore_locks(const std::string& strategy, int workers, int accounts, int limit,
                             int expect_exit) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"explore", "--json", "--backend", "shm", "--scenario", "bank", "--accounts",
                  std::to_string(accounts), "-w", std::to_string(workers), "-n", "1", "--strategy",
                  strategy, "--limit", std::to_string(limit), "--samples", std::to_string(limit)},
                 tmp, 300);
  EXPECT_EQ(o.exit_code, expect_exit) << o.err;
  const nlohmann::json j = parse_result(o);
  EXPECT_EQ(j["model_mismatches"], 0);  // each real run ended as the model said, deadlocks too
  expect_nothing_left(o, tmp);
  return j;
}

// "1L 2L …": the shortest deadlocking schedule takes `locks` L steps and nothing else.
void expect_lock_steps_only(const nlohmann::json& j, std::size_t locks) {
  const std::string witness = j["shortest_deadlock"];
  EXPECT_EQ(static_cast<std::size_t>(std::count(witness.begin(), witness.end(), 'L')), locks)
      << witness;
  EXPECT_EQ(witness.size(), 3 * locks - 1) << witness;
  EXPECT_EQ(j["shortest_deadlock_confirmed"], true);  // replayed: the real run deadlocked
}

TEST(ScenarioExplore, AccountLocksDeadlocksAreTheirOwnBucketAndMatchABruteForceModel) {
  // Two workers: every interleaving on real processes.
  const LockedCounts want = locked_model(2, 2, 1, /*ordered=*/false);
  ASSERT_GT(want.deadlocked, 0u);
  const nlohmann::json j = explore_locks("account-locks", 2, 2, 1000, 4);
  EXPECT_EQ(j["exhaustive"], true);
  EXPECT_EQ(j["histogram"],
            (nlohmann::json{{"2000", want.completed}, {"deadlock", want.deadlocked}}));
  EXPECT_EQ(j["deadlocks"], want.deadlocked);
  EXPECT_EQ(j["total_interleavings"], want.completed + want.deadlocked);
  expect_lock_steps_only(j, want.shortest_deadlock);
  // Completed interleavings are all correct: per-account locks protect the transfers.
  EXPECT_EQ(j["min"]["final"], 2000);
  EXPECT_EQ(j["max"]["final"], 2000);
}

TEST(ScenarioExplore, AccountLocksOfThreeWorkersCloseACycleOfThree) {
  const LockedCounts want = locked_model(3, 3, 1, /*ordered=*/false);
  ASSERT_GT(want.deadlocked, 0u);
  const nlohmann::json j = explore_locks("account-locks", 3, 3, 30, 4);
  EXPECT_EQ(j["total_interleavings"], want.completed + want.deadlocked);  // the model's count
  std::uint64_t sampled = 0;
  for (const auto& [k, v] : j["histogram"].items()) {
    EXPECT_TRUE(k == "3000" || k == "deadlock") << k;
    sampled += v.get<std::uint64_t>();
  }
  EXPECT_EQ(sampled, 30u);
  expect_lock_steps_only(j, want.shortest_deadlock);  // 1L 2L 3L
  EXPECT_EQ(want.shortest_deadlock, 3u);
}

TEST(ScenarioExplore, OrderedLocksNeverDeadlock) {
  const LockedCounts want = locked_model(3, 3, 1, /*ordered=*/true);
  ASSERT_EQ(want.deadlocked, 0u);
  const nlohmann::json j = explore_locks("ordered-locks", 3, 3, 30, 0);
  EXPECT_EQ(j["total_interleavings"], want.completed);
  EXPECT_EQ(j["histogram"], (nlohmann::json{{"3000", 30}}));
  EXPECT_EQ(j["deadlocks"], 0);
  EXPECT_TRUE(j["shortest_deadlock"].is_null());  // none in the whole model
}

}  // namespace
}  // namespace shmlab::test
