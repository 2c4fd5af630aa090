// `shmlab run --scenario inventory|bank` through the real binary: schedules whose outcome is known
// by hand (an oversold last item, a transfer erased, money destroyed, an overdraft), every backend
// under every strategy that can express the scenario (what must hold for any interleaving), the
// refusals, and the deadlock of per-account locks found and named.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;

Outcome run(Args args, const TempDir& tmp, double timeout_s = 60) {
  args.insert(args.begin(), "run");
  args.push_back("--json");
  return run_shmlab(args, tmp, timeout_s);
}

struct Pair {
  std::string backend;
  std::string strategy;
};

std::string pair_name(const testing::TestParamInfo<Pair>& info) {
  std::string n = info.param.backend + "_" + info.param.strategy;
  for (char& c : n) c = c == '-' ? '_' : c;
  return n;
}

// ---- inventory ----

class InventoryNone : public testing::TestWithParam<std::string> {};

TEST_P(InventoryNone, TheLastItemIsSoldTwiceUnderTheClassicSchedule) {
  TempDir tmp;
  const Outcome o = run({"--scenario", "inventory", "--stock", "1", "-w", "2", "-n", "1",
                         "--backend", GetParam(), "--schedule", "1R 2R 1W 2W"},
                        tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["scenario"], "inventory");
  EXPECT_EQ(r["stock_initial"], 1);
  EXPECT_EQ(r["stock_final"], 0);
  EXPECT_EQ(r["sold"], 2);
  EXPECT_EQ(r["declined"], 0);
  EXPECT_EQ(r["oversold"], 1);
  EXPECT_EQ(r["invariant_held"], false);
  EXPECT_EQ(r["schedule_taken"], "1R 2R 1W 2W");  // no V in this scenario
  ASSERT_EQ(r["lost"].size(), 1u);
  EXPECT_EQ(r["lost"][0]["worker"], 1);
  EXPECT_EQ(r["lost"][0]["erased_by"]["worker"], 2);
  EXPECT_NE(o.err.find("The last item was sold twice: worker 1 and worker 2 both bought from "
                       "stock 1"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("Oversold: 1 unit(s) sold that never left the stock"), std::string::npos)
      << o.err;
  expect_nothing_left(o, tmp);
}

TEST_P(InventoryNone, ASerialScheduleSellsTheLastItemOnceAndDeclinesTheOther) {
  TempDir tmp;
  const Outcome o = run({"--scenario", "inventory", "--stock", "1", "-w", "2", "-n", "1",
                         "--backend", GetParam(), "--schedule", "1R 1W 2R"},
                        tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["sold"], 1);
  EXPECT_EQ(r["declined"], 1);
  EXPECT_EQ(r["stock_final"], 0);
  EXPECT_EQ(r["oversold"], 0);
  EXPECT_EQ(r["invariant_held"], true);
  EXPECT_EQ(r["schedule_taken"], "1R 1W 2R");  // a declined purchase does not write
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(Backends, InventoryNone, testing::Values("file", "mmap", "shm", "sqlite"));

// Every strategy that can express the inventory, on every backend it fits: whatever the
// interleaving, units sold = initial − final and nothing is oversold.
class InventoryCorrect : public testing::TestWithParam<Pair> {};

TEST_P(InventoryCorrect, SellsExactlyTheStockUnderAnyInterleaving) {
  for (const char* schedule : {"random:7", "random:8"}) {
    TempDir tmp;
    const Outcome o =
        run({"--scenario", "inventory", "--stock", "3", "-w", "3", "-n", "2", "--backend",
             GetParam().backend, "--strategy", GetParam().strategy, "--schedule", schedule},
            tmp);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const json r = parse_result(o);
    EXPECT_EQ(r["sold"], 3) << schedule;
    EXPECT_EQ(r["declined"], 3) << schedule;
    EXPECT_EQ(r["stock_final"], 0) << schedule;
    EXPECT_EQ(r["invariant_held"], true) << schedule;
    expect_nothing_left(o, tmp);
  }
  TempDir tmp;  // and OS-scheduled, with no sleeps
  const Outcome o =
      run({"--scenario", "inventory", "--stock", "50", "-w", "3", "-n", "30", "--delay", "none",
           "--backend", GetParam().backend, "--strategy", GetParam().strategy},
          tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["sold"], 50);
  EXPECT_EQ(r["declined"], 40);
  EXPECT_EQ(r["stock_final"], 0);
  expect_nothing_left(o, tmp);
}

std::vector<Pair> inventory_pairs() {
  std::vector<Pair> out;
  for (const char* b : {"file", "mmap", "shm", "sqlite"}) {
    for (const char* s : {"mutex", "spinlock", "semaphore", "flock", "ofd"}) out.push_back({b, s});
    if (std::string(b) != "file") {
      out.push_back({b, "cas"});
      out.push_back({b, "atomic"});
    }
  }
  out.push_back({"sqlite", "transaction"});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Pairs, InventoryCorrect, testing::ValuesIn(inventory_pairs()), pair_name);

TEST(InventoryCli, AFailedCompareAndSwapRereadsAndDeclinesWhenTheStockIsGone) {
  TempDir tmp;
  const Outcome o = run({"--scenario", "inventory", "--stock", "1", "-w", "2", "-n", "1",
                         "--backend", "shm", "--strategy", "cas", "--schedule", "1R 2R 1C 2C 2R"},
                        tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["sold"], 1);
  EXPECT_EQ(r["declined"], 1);
  EXPECT_EQ(r["per_worker"][1]["retries"], 1);
  EXPECT_EQ(r["schedule_taken"], "1R 2R 1C 2C 2R");
  expect_nothing_left(o, tmp);
}

TEST(InventoryCli, AtomicIsOneConditionalDecrementThatDeclinesAtZero) {
  TempDir tmp;
  const Outcome o = run({"--scenario", "inventory", "--stock", "1", "-w", "2", "-n", "1",
                         "--backend", "mmap", "--strategy", "atomic", "--schedule", "2A 1A"},
                        tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["sold"], 1);
  EXPECT_EQ(r["declined"], 1);
  EXPECT_EQ(r["stock_final"], 0);
  expect_nothing_left(o, tmp);
}

TEST(InventoryCli, DefaultsAreFifteenBuyersOfTenUnits) {
  TempDir tmp;
  const Outcome o = run({"--scenario", "inventory", "--strategy", "mutex", "--delay", "none"}, tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["workers"], 15);
  EXPECT_EQ(r["increments"], 1);
  EXPECT_EQ(r["sold"], 10);
  EXPECT_EQ(r["declined"], 5);
  expect_nothing_left(o, tmp);
}

TEST(ScenarioCli, AStrategyThatCannotExpressAScenarioIsRefusedWithItsReason) {
  TempDir tmp;
  const Outcome a = run({"--scenario", "inventory", "--strategy", "sharded"}, tmp);
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_NE(a.err.find("cannot express --scenario inventory"), std::string::npos) << a.err;
  const Outcome b = run({"--scenario", "bank", "--strategy", "cas", "--backend", "shm"}, tmp);
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("one compare-and-swap covers one cell"), std::string::npos) << b.err;
  const Outcome c = run({"--strategy", "account-locks"}, tmp);
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("bank"), std::string::npos) << c.err;
  const Outcome d = run({"--scenario", "bank", "--accounts", "1"}, tmp);
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_TRUE(tmp.entries().empty());
}

// ---- bank ----

TEST(BankCli, TwoOppositeTransfersWhereOneErasesTheOtherBreakTheInvariantWhileTheTotalHolds) {
  for (const char* backend : {"file", "mmap", "shm", "sqlite"}) {
    TempDir tmp;
    // Worker 1 moves A → B, worker 2 B → A; both read both accounts before either writes.
    const Outcome o = run({"--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "1",
                           "--backend", backend, "--schedule", "1R 1R 2R 2R 1W 1W 2W 2W"},
                          tmp);
    EXPECT_EQ(o.exit_code, 3) << o.err;
    const json r = parse_result(o);
    EXPECT_EQ(r["total_initial"], 2000) << backend;
    EXPECT_EQ(r["total_final"], 2000) << backend;
    EXPECT_EQ(r["money_created"], 0) << backend;
    EXPECT_EQ(r["balances"]["A"], 1100) << backend;
    EXPECT_EQ(r["balances"]["B"], 900) << backend;
    EXPECT_EQ(r["transfers"], 2) << backend;
    EXPECT_EQ(r["transfers_lost"], 2) << backend;
    EXPECT_EQ(r["invariant_held"], false) << backend;
    EXPECT_EQ(r["lost"].size(), 2u) << backend;  // worker 1's two writes, both overwritten
    expect_nothing_left(o, tmp);
  }
}

TEST(BankCli, AnErasedCreditDestroysMoney) {
  TempDir tmp;
  // Worker 1: A → B, worker 2: B → C; worker 2's write of B erases worker 1's credit.
  const Outcome o = run(
      {"--scenario", "bank", "-w", "2", "-n", "1", "--schedule", "1R 1R 2R 2R 1W 1W 2W 2W"}, tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["total_final"], 2900);
  EXPECT_EQ(r["money_created"], -100);
  EXPECT_EQ(r["balances"]["B"], 900);
  ASSERT_EQ(r["lost"].size(), 1u);
  EXPECT_EQ(r["lost"][0]["worker"], 1);
  EXPECT_NE(o.err.find("Money destroyed: 100 vanished"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

TEST(BankCli, AtomicKeepsTheTotalButTheOverdraftCheckRaces) {
  TempDir tmp;
  // Workers 1 and 3 both move A → B (2 accounts); both pass the check on A = 100, so A goes to
  // -100; worker 2's B → A then brings it back to 0.
  const Outcome o =
      run({"--scenario", "bank", "--accounts", "2", "--balance", "100", "-w", "3", "-n", "1",
           "--backend", "shm", "--strategy", "atomic", "--schedule", "1R 3R 1A 1A 3A 3A"},
          tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["total_final"], 200);
  EXPECT_EQ(r["money_created"], 0);
  EXPECT_EQ(r["balances"]["A"], 0);
  EXPECT_EQ(r["overdrafts"], 1);
  EXPECT_EQ(r["transfers_lost"], 0);
  EXPECT_EQ(r["invariant_held"], false);
  EXPECT_NE(o.err.find("Overdrafts: 1 transfer(s) took an account below 0"), std::string::npos)
      << o.err;
  expect_nothing_left(o, tmp);
}

class BankCorrect : public testing::TestWithParam<Pair> {};

TEST_P(BankCorrect, ConservesMoneyAndEveryBalanceUnderAnyInterleaving) {
  TempDir tmp;
  const Outcome s =
      run({"--scenario", "bank", "--balance", "300", "-w", "3", "-n", "4", "--backend",
           GetParam().backend, "--strategy", GetParam().strategy, "--schedule", "random:11"},
          tmp);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  const json rs = parse_result(s);
  EXPECT_EQ(rs["total_final"], 900);
  EXPECT_EQ(rs["invariant_held"], true);
  EXPECT_EQ(rs["transfers"].get<int>() + rs["declined"].get<int>(), 12);
  expect_nothing_left(s, tmp);
  const Outcome o = run({"--scenario", "bank", "-w", "4", "-n", "50", "--delay", "none",
                         "--backend", GetParam().backend, "--strategy", GetParam().strategy},
                        tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["total_final"], 3000);
  EXPECT_EQ(r["transfers_lost"], 0);
  EXPECT_EQ(r["invariant_held"], true);
  expect_nothing_left(o, tmp);
}

std::vector<Pair> bank_pairs() {
  std::vector<Pair> out;
  for (const char* b : {"file", "mmap", "shm", "sqlite"}) {
    for (const char* s : {"mutex", "spinlock", "semaphore", "flock", "ofd", "ordered-locks"})
      out.push_back({b, s});
  }
  out.push_back({"sqlite", "transaction"});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Pairs, BankCorrect, testing::ValuesIn(bank_pairs()), pair_name);

// ---- auditor ----

TEST(AuditorCli, UnderTheReadDisciplineOfACorrectStrategyEverySnapshotAddsUp) {
  for (const char* strategy : {"mutex", "ordered-locks"}) {
    TempDir tmp;
    const Outcome o = run({"--scenario", "bank", "--auditor", "-w", "3", "-n", "200", "--delay",
                           "none", "--backend", "shm", "--strategy", strategy},
                          tmp);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const json r = parse_result(o);
    ASSERT_TRUE(r.contains("audits")) << r.dump();
    EXPECT_EQ(r["audits_inconsistent"], 0) << strategy;
    EXPECT_EQ(r["invariant_held"], true);
    expect_nothing_left(o, tmp);
  }
}

// The auditor counts itself in at the start barrier: a run over before its process could have
// started on its own still gets a snapshot (13 of 20 such runs had none when the workers started
// without waiting for it).
TEST(AuditorCli, ARunOverInAnInstantIsStillAudited) {
  for (int i = 0; i < 5; ++i) {
    TempDir tmp;
    const Outcome o = run({"--scenario", "bank", "--auditor", "-w", "1", "-n", "1", "--delay",
                           "none", "--backend", "shm", "--strategy", "mutex"},
                          tmp);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const json r = parse_result(o);
    EXPECT_GE(r["audits"].get<std::uint64_t>(), 1u) << r.dump();
    EXPECT_EQ(r["audits_inconsistent"], 0);
    expect_nothing_left(o, tmp);
  }
}

TEST(AuditorCli, OnlyTheBankHasAnAuditor) {
  TempDir tmp;
  const Outcome o = run({"--scenario", "inventory", "--auditor"}, tmp);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("--auditor"), std::string::npos) << o.err;
}

// ---- deadlock ----

TEST(DeadlockCli, AccountLocksTakenFromThenToDeadlockUnderTheScheduleAndAreNamed) {
  for (const char* backend : {"file", "shm", "sqlite"}) {
    TempDir tmp;
    const Outcome o =
        run({"--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "1", "--backend", backend,
             "--strategy", "account-locks", "--schedule", "1L 2L", "--timeout", "60"},
            tmp);
    EXPECT_EQ(o.exit_code, 4) << o.err;
    const json r = parse_result(o);
    EXPECT_EQ(r["watchdog"],
              "Deadlock: worker 1 holds account A and waits for B; worker 2 holds B and waits "
              "for A");
    ASSERT_EQ(r["deadlock"].size(), 2u);
    EXPECT_EQ(r["deadlock"][0]["worker"], 1);
    EXPECT_EQ(r["deadlock"][0]["holds"], "A");
    EXPECT_EQ(r["deadlock"][0]["waits_for"], "B");
    EXPECT_LT(r["elapsed_ms"].get<double>(), 10'000);  // far sooner than --timeout
    expect_nothing_left(o, tmp);
  }
}

TEST(DeadlockCli, WithoutAScheduleADeadlockIsFoundNeverWaitedOut) {
  TempDir tmp;
  const Outcome o =
      run({"--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "1000", "--delay", "none",
           "--backend", "shm", "--strategy", "account-locks", "--timeout", "60"},
          tmp, 120);
  // Either the workers slipped past each other every time, or the cycle was found and named.
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 4) << o.err;
  const json r = parse_result(o);
  if (o.exit_code == 4) {
    EXPECT_EQ(r["watchdog"].get<std::string>().rfind("Deadlock: worker ", 0), 0u) << r["watchdog"];
    EXPECT_LT(r["elapsed_ms"].get<double>(), 30'000);
  } else {
    EXPECT_EQ(r["invariant_held"], true);
  }
  expect_nothing_left(o, tmp);
}

TEST(DeadlockCli, OrderedLocksNeverDeadlock) {
  TempDir tmp;
  const Outcome o = run({"--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "300", "--delay",
                         "none", "--backend", "shm", "--strategy", "ordered-locks"},
                        tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(parse_result(o)["invariant_held"], true);
  expect_nothing_left(o, tmp);
}

}  // namespace
}  // namespace shmlab::test
