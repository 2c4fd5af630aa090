// --crash in the inventory and the bank, through the real binary under schedules whose outcome is
// known by hand: a worker killed after the first write of its transfer destroys the money it took
// from one account (on every backend, with or without a lock: a lock is no transaction); inside a
// sqlite transaction the half transfer is rolled back; a buyer killed after its write takes a unit
// out of the stock unsold; a worker killed before any write costs nothing. Each exits 4.
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

json crashed_run(Args args, const TempDir& tmp, std::string* log = nullptr) {
  args.insert(args.begin(), {"run", "--json", "-w", "2", "-n", "1"});
  const Outcome o = run_shmlab(args, tmp);
  EXPECT_EQ(o.exit_code, 4) << o.err;
  if (log != nullptr) *log = o.err;
  expect_nothing_left(o, tmp);
  return parse_result(o);
}

TEST(ScenarioCrashCli, ATransferKilledAfterItsFirstWriteDestroysTheMoneyOnEveryBackend) {
  for (const char* backend : {"file", "mmap", "shm", "sqlite"}) {
    for (const auto& [strategy, schedule] :
         {std::pair{"none", "1R 1R 1W"}, std::pair{"mutex", "1L 1R 1R 1W"}}) {
      TempDir tmp;
      std::string log;
      // Worker 1 moves 100 from A to B and dies after writing A; worker 2 then moves 100 from B
      // to A, whole.
      const json r =
          crashed_run({"--scenario", "bank", "--accounts", "2", "--backend", backend, "--strategy",
                       strategy, "--schedule", schedule, "--crash", "1@after-write"},
                      tmp, &log);
      const std::string where = std::string(backend) + " " + strategy;
      EXPECT_EQ(r["money_created"], -100) << where;
      EXPECT_EQ(r["balances"], (json{{"A", 1000}, {"B", 900}})) << where;
      EXPECT_EQ(r["transfers"], 1) << where;
      EXPECT_EQ(r["invariant_held"], false) << where;
      ASSERT_EQ(r["crashes"].size(), 1u) << where;
      const json& c = r["crashes"][0];
      EXPECT_EQ(c["worker"], 1);
      EXPECT_EQ(c["op"], 1);
      EXPECT_EQ(c["landed"], (json{{{"cell", "A"}, {"read", 1000}, {"wrote", 900}}})) << where;
      EXPECT_EQ(c["unwritten"], (json{"B"})) << where;
      EXPECT_EQ(c["money_created"], -100) << where;
      EXPECT_NE(log.find("Worker 1 was killed in its transfer 1 after writing A 1000 → 900, "
                         "before writing B: 100 vanished with the half transfer"),
                std::string::npos)
          << log;
    }
  }
}

TEST(ScenarioCrashCli, ATransactionKilledMidTransferIsRolledBack) {
  TempDir tmp;
  const json r =
      crashed_run({"--scenario", "bank", "--accounts", "2", "--backend", "sqlite", "--strategy",
                   "transaction", "--schedule", "1L 1R 1R 1W", "--crash", "1@after-write"},
                  tmp);
  EXPECT_EQ(r["money_created"], 0);
  EXPECT_EQ(r["balances"], (json{{"A", 1100}, {"B", 900}}));  // only worker 2's B → A
  ASSERT_EQ(r["crashes"].size(), 1u);
  EXPECT_TRUE(r["crashes"][0]["landed"].empty());
  EXPECT_EQ(r["crashes"][0]["money_created"], 0);
}

TEST(ScenarioCrashCli, ABuyerKilledAfterItsWriteTakesAUnitOutOfTheStockUnsold) {
  for (const char* backend : {"file", "shm", "sqlite"}) {
    TempDir tmp;
    std::string log;
    const json r = crashed_run({"--scenario", "inventory", "--stock", "3", "--backend", backend,
                                "--schedule", "1R 1W", "--crash", "1@after-write"},
                               tmp, &log);
    EXPECT_EQ(r["stock_final"], 1) << backend;
    EXPECT_EQ(r["sold"], 1) << backend;  // worker 2's; worker 1's never completed
    ASSERT_EQ(r["crashes"].size(), 1u);
    EXPECT_EQ(r["crashes"][0]["units_unsold"], 1) << backend;
    EXPECT_EQ(r["crashes"][0]["landed"], (json{{{"cell", "stock"}, {"read", 3}, {"wrote", 2}}}));
    EXPECT_NE(log.find("after writing stock 3 → 2, before its sale counted: 1 unit(s) left the "
                       "stock unsold"),
              std::string::npos)
        << log;
  }
}

TEST(ScenarioCrashCli, AWorkerKilledBeforeAnyWriteCostsNothing) {
  TempDir tmp;
  std::string log;
  const json r = crashed_run(
      {"--scenario", "bank", "--accounts", "2", "--schedule", "1R 1R", "--crash", "1@after-read:1"},
      tmp, &log);
  EXPECT_EQ(r["money_created"], 0);
  EXPECT_EQ(r["balances"], (json{{"A", 1100}, {"B", 900}}));
  ASSERT_EQ(r["crashes"].size(), 1u);
  EXPECT_TRUE(r["crashes"][0]["landed"].empty());
  EXPECT_NE(log.find("before any of its writes landed: it cost nothing"), std::string::npos) << log;
}

}  // namespace
}  // namespace shmlab::test
