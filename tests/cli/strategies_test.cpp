// Every fix on every backend, through the real binary: each valid backend × strategy pair ends at
// exactly the expected value (8 workers, no delay; and the seed's delays at small counts), every
// impossible pair is refused with exit 2 before anything is created, nothing is left behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

// Sanitizer builds (Debug, instrumented) run the binary 10-50 times slower: there the same checks
// run at 8 × 500 on every backend, the smallest size the issue allows, to keep CI within its time.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Increments per worker for the 8-worker runs. SQLite's write lock goes through the file system:
// fewer increments there keep the suite fast.
int increments_for(const std::string& backend) {
  if (kSanitized) return 500;
  return backend == "sqlite" ? 1000 : 20000;
}

// The backend × strategy table of the README, written out here independently of
// sync/strategy.cpp so that a change to either one without the other fails.
const std::map<std::string, std::set<std::string>> kTable = {
    {"none", {"file", "mmap", "shm", "sqlite"}},
    {"mutex", {"file", "mmap", "shm", "sqlite"}},
    {"spinlock", {"file", "mmap", "shm", "sqlite"}},
    {"semaphore", {"file", "mmap", "shm", "sqlite"}},
    {"flock", {"file", "mmap", "shm", "sqlite"}},
    {"ofd", {"file", "mmap", "shm", "sqlite"}},
    {"atomic", {"mmap", "shm", "sqlite"}},
    {"cas", {"mmap", "shm", "sqlite"}},
    {"sharded", {"file", "mmap", "shm", "sqlite"}},
    {"transaction", {"sqlite"}},
    {"lease", {"mmap", "shm", "sqlite"}},
};
const std::vector<std::string> kBackends = {"file", "mmap", "shm", "sqlite"};

struct Pair {
  std::string backend;
  std::string strategy;
};

void PrintTo(const Pair& p, std::ostream* os) { *os << p.backend << " x " << p.strategy; }

std::vector<Pair> pairs(bool valid) {
  std::vector<Pair> out;
  for (const auto& [strategy, backends] : kTable) {
    for (const std::string& b : kBackends) {
      if (backends.count(b) != 0 && strategy == "none") continue;  // `none` is not a fix
      // A lease is a fix only while no holder outlives its grant; lease_test.cpp tests it.
      if (backends.count(b) != 0 && strategy == "lease") continue;
      if ((backends.count(b) != 0) == valid) out.push_back({b, strategy});
    }
  }
  return out;
}

std::string pair_name(const testing::TestParamInfo<Pair>& info) {
  return info.param.backend + "_" + info.param.strategy;
}

bool uses_lock_wait(const std::string& strategy) {
  return strategy == "mutex" || strategy == "spinlock" || strategy == "semaphore" ||
         strategy == "flock" || strategy == "ofd" || strategy == "transaction";
}

class Fix : public testing::TestWithParam<Pair> {};

TEST_P(Fix, EndsExactlyAtExpectedWithEightWorkersAndNoDelay) {
  const Pair& p = GetParam();
  const int n = increments_for(p.backend);
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "8", "-n", std::to_string(n), "--delay", "none", "--backend",
                  p.backend, "--strategy", p.strategy, "--json", "-q", "--timeout", "30"},
                 tmp, 100);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["backend"], p.backend);
  EXPECT_EQ(r["strategy"], p.strategy);
  EXPECT_EQ(r["expected"], 8 * n);
  EXPECT_EQ(r["final"], 8 * n);
  EXPECT_EQ(r["lost_updates"], 0);
  EXPECT_EQ(r["correct"], true);
  EXPECT_TRUE(r["lost"].empty());
  ASSERT_EQ(r["per_worker"].size(), 8u);
  std::uint64_t lock_wait_ns = 0;
  for (const json& w : r["per_worker"]) {
    EXPECT_EQ(w["status"], "ok");
    EXPECT_EQ(w["ops"], n);
    ASSERT_TRUE(w["retries"].is_number_unsigned()) << w;
    ASSERT_TRUE(w["lock_wait_ns"].is_number_unsigned()) << w;
    lock_wait_ns += w["lock_wait_ns"].get<std::uint64_t>();
    if (!uses_lock_wait(p.strategy)) {
      EXPECT_EQ(w["lock_wait_ns"], 0) << "no lock to wait for under " << p.strategy;
    }
    if (p.strategy != "cas" && p.backend != "sqlite") {
      EXPECT_EQ(w["retries"], 0) << "nothing to retry under " << p.strategy;
    }
  }
  // 8 × n acquisitions, each timed with the monotonic clock: the total cannot be zero.
  if (uses_lock_wait(p.strategy)) {
    EXPECT_GT(lock_wait_ns, 0u);
  }
  if (p.strategy == "atomic" || p.strategy == "sharded") {
    EXPECT_EQ(r["attribution"].get<std::string>().rfind("not applicable", 0), 0u)
        << r["attribution"];
  } else {
    EXPECT_EQ(r["attribution"], "exact");
  }
  expect_nothing_left(o, tmp);
}

TEST_P(Fix, EndsExactlyAtExpectedWithTheSeedDelays) {
  const Pair& p = GetParam();
  TempDir tmp;
  // The seed's delays (0-50:0-30:10 ms): the race window is wide open, the fix must close it.
  const Outcome o = run_shmlab({"run", "-w", "3", "-n", "3", "--backend", p.backend, "--strategy",
                                p.strategy, "--json", "--timeout", "30"},
                               tmp, 100);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["delay"], "0-50:0-30:10");
  EXPECT_EQ(r["final"], 9);
  EXPECT_EQ(r["lost_updates"], 0);
  EXPECT_EQ(r["verify_detections"]["overwritten"], 0);
  EXPECT_NE(o.err.find("All 9 increments completed successfully"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(EveryValidPair, Fix, testing::ValuesIn(pairs(true)), pair_name);

class ImpossiblePair : public testing::TestWithParam<Pair> {};

TEST_P(ImpossiblePair, ExitsTwoNamingTheFittingBackendsAndCreatesNothing) {
  const Pair& p = GetParam();
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "--backend", p.backend, "--strategy", p.strategy, "--delay", "none", "--json"}, tmp);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_NE(o.err.find("--strategy " + p.strategy), std::string::npos) << o.err;
  for (const std::string& b : kTable.at(p.strategy)) {
    EXPECT_NE(o.err.find(b), std::string::npos) << "message does not name " << b << ": " << o.err;
  }
  EXPECT_EQ(o.err.find("Spawn"), std::string::npos) << "a worker was started: " << o.err;
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(EveryImpossiblePair, ImpossiblePair, testing::ValuesIn(pairs(false)),
                         pair_name);

TEST(NoneOnShm, LosesUpdatesWhenWorkersRunInParallelAndAccountsForEachOne) {
  TempDir tmp;
  const int n = increments_for("shm");
  const Outcome o = run_shmlab({"run", "-w", "8", "-n", std::to_string(n), "--delay", "none",
                                "--backend", "shm", "--json", "-q", "--timeout", "30"},
                               tmp, 100);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = parse_result(o);
  const auto lost = r["lost_updates"].get<std::int64_t>();
  // How many are lost depends on the scheduler: reported, never asserted.
  RecordProperty("lost_updates", std::to_string(lost));
  std::cout << "none on shm, 8 x " << n << ", no delay: " << lost << " updates lost\n";
  // The write log accounts for the counter: survivors (= final) + erased writes = all writes.
  EXPECT_EQ(r["final"].get<std::int64_t>() + r["lost_total"].get<std::int64_t>(), 8 * n);
  EXPECT_GE(r["final"].get<std::int64_t>(), 1);
  EXPECT_EQ(o.exit_code, lost == 0 ? 0 : 3);
  // The word carries value and write id together, so attribution stays exact on shm.
  EXPECT_EQ(r["attribution"], "exact");
  EXPECT_EQ(r["lost_total"].get<std::size_t>(), static_cast<std::size_t>(lost));
  for (const json& l : r["lost"]) EXPECT_EQ(l["wrote"].get<int>(), l["read"].get<int>() + 1);
  expect_nothing_left(o, tmp);
}

TEST(NoneOnEveryBackend, ZeroDelayRunAccountsForEveryLostUpdate) {
  for (const std::string& backend : kBackends) {
    TempDir tmp;
    const Outcome o = run_shmlab(
        {"run", "-w", "4", "-n", "500", "--delay", "none", "--backend", backend, "--json", "-q"},
        tmp, 100);
    ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << backend << ": " << o.err;
    const json r = parse_result(o);
    // Survivors (= final) + erased writes from the write log = the 4 x 500 writes.
    EXPECT_EQ(r["final"].get<std::size_t>() + r["lost_total"].get<std::size_t>(), 2000u) << backend;
    EXPECT_EQ(r["lost_total"].get<std::size_t>(), r["lost_updates"].get<std::size_t>()) << backend;
    expect_nothing_left(o, tmp);
  }
}

}  // namespace
}  // namespace shmlab::test
