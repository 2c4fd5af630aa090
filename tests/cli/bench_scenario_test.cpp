// `shmlab bench --scenario inventory|bank` through the real binary, on tiny durations: which
// strategies are measured and which are skipped (with the reason), and the correctness column of
// the correct ones; never speed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;

Outcome bench(Args args, const TempDir& tmp) {
  args.insert(args.begin(), "bench");
  args.insert(args.end(), {"--duration", "0.02", "--warmup", "0.01", "--repeat", "1", "--json"});
  return run_shmlab(args, tmp, 240);
}

std::set<std::string> measured(const json& j) {
  std::set<std::string> out;
  for (const json& r : j["results"]) out.insert(r["strategy"].get<std::string>());
  return out;
}

std::set<std::string> skipped(const json& j) {
  std::set<std::string> out;
  for (const json& s : j["skipped"]) {
    EXPECT_FALSE(s["reason"].get<std::string>().empty()) << s;
    out.insert(s["strategy"].get<std::string>());
  }
  return out;
}

TEST(BenchScenarioCli, BankMeasuresEveryStrategyThatCanTransferAndSkipsTheRestWithTheReason) {
  TempDir tmp;
  const Outcome o = bench({"--scenario", "bank", "--backends", "shm", "--workers", "3"}, tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  EXPECT_EQ(j["scenario"], "bank");
  EXPECT_EQ(measured(j), (std::set<std::string>{"none", "mutex", "spinlock", "semaphore", "flock",
                                                "ofd", "atomic", "ordered-locks"}));
  EXPECT_EQ(skipped(j), (std::set<std::string>{"cas", "sharded", "account-locks"}));
  EXPECT_TRUE(j["peers"].empty());  // the bare loops increment a counter: not a transfer
  for (const json& r : j["results"]) {
    EXPECT_GT(r["ops_per_s"].get<double>(), 0) << r;
    // Every guarded transfer conserves the total (atomic adds conserve it too).
    if (r["strategy"] != "none") EXPECT_EQ(r["lost_updates"], 0) << r;
  }
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(BenchScenarioCli, InventoryOnSqliteRunsItsTransactionAndNoPerAccountLocks) {
  TempDir tmp;
  const Outcome o = bench({"--scenario", "inventory", "--backends", "sqlite", "--strategies",
                           "mutex,transaction,ordered-locks", "--workers", "2"},
                          tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  EXPECT_EQ(measured(j), (std::set<std::string>{"mutex", "transaction"}));
  EXPECT_EQ(skipped(j), (std::set<std::string>{"ordered-locks"}));
  for (const json& r : j["results"]) EXPECT_EQ(r["lost_updates"], 0) << r;
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(BenchScenarioCli, TheCountersFullListHasNoPerAccountLocks) {
  TempDir tmp;
  const Outcome o = bench({"--backends", "shm", "--workers", "1"}, tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  EXPECT_EQ(j["scenario"], "counter");
  EXPECT_EQ(measured(j).count("account-locks"), 0u);
  EXPECT_EQ(measured(j).count("ordered-locks"), 0u);
  EXPECT_TRUE(j["skipped"].empty()) << j["skipped"];
  EXPECT_FALSE(j["peers"].empty());
}

TEST(BenchScenarioCli, NoStrategyThatCanRunTheScenarioIsBadUsage) {
  TempDir tmp;
  const Outcome o = bench({"--scenario", "bank", "--strategies", "cas,sharded"}, tmp);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("cas"), std::string::npos) << o.err;
  const Outcome unknown = bench({"--scenario", "lottery"}, tmp);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--scenario"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace shmlab::test
