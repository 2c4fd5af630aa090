// explore's pool of worker processes (issue 16) through the real binary: the pool and new
// processes per interleaving (--fresh-processes) give the same histogram on every backend, equal
// to the brute-force numbers; a pool worker killed mid-exploration is replaced and its
// interleaving run again; SIGINT mid-exploration removes everything.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "shmlab/control/control_snapshot.hpp"
#include "support/expect.hpp"
#include "support/process_scan.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Histogram = std::map<std::int64_t, std::uint64_t>;

// The brute-force enumerators' numbers (explore_test.cpp's brute_force for the counter,
// scenario_explore_test.cpp's enumerate for inventory), written out: independent of the binary.
// Counter, 2 workers x 2 increments under none: 70 interleavings.
const Histogram kCounter2x2 = {{2, 32}, {3, 32}, {4, 6}};
// Inventory, 2 x 2 sales of a stock of 2 under none, units sold: 58 interleavings.
const Histogram kInventory2x2 = {{2, 6}, {3, 24}, {4, 28}};
// Counter, 2 x 3 under none: the 924 interleavings of the classic puzzle.
const Histogram kCounter2x3 = {{2, 8}, {3, 300}, {4, 416}, {5, 180}, {6, 20}};

Histogram histogram_of(const json& r) {
  Histogram h;
  for (const auto& [k, v] : r["histogram"].items()) h[std::stoll(k)] = v.get<std::uint64_t>();
  return h;
}

json explore(std::vector<std::string> args, bool fresh) {
  TempDir tmp;
  args.insert(args.begin(), {"explore", "--json"});
  if (fresh) args.push_back("--fresh-processes");
  const Outcome o = run_shmlab(args, tmp, 280);
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  json r = parse_result(o);
  EXPECT_EQ(r["processes"], fresh ? "fresh" : "pool");
  EXPECT_EQ(r["model_mismatches"], 0);
  expect_nothing_left(o, tmp);
  return r;
}

struct Case {
  std::string scenario;
  std::string backend;
};

// ctest names the case by this, not by its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.scenario << " on " << c.backend; }

class PooledAndFresh : public ::testing::TestWithParam<Case> {};

TEST_P(PooledAndFresh, GiveIdenticalHistogramsEqualToTheModel) {
  const Case& c = GetParam();
  const auto args_for = [&](int ops) {
    std::vector<std::string> args = {"-w",        "2",       "-n",         std::to_string(ops),
                                     "--backend", c.backend, "--scenario", c.scenario};
    if (c.scenario == "inventory") args.insert(args.end(), {"--stock", std::to_string(ops)});
    // The bank's transfers have four steps: 2 x 1 is 70 interleavings, 2 x 2 12,870. A sample
    // of them, the same draws in both modes (an explicit limit below the count makes a search).
    if (c.scenario == "bank") {
      args.insert(args.end(), {"--samples", "10", "--limit", "10"});
    } else {
      // Every one in both modes, however slow fresh processes are on this build (a measured
      // limit would make the slow mode a search).
      args.insert(args.end(), {"--limit", "100000"});
    }
    return args;
  };
  // The pool alone against the model's numbers at 2 x 2.
  const json pooled2 = explore(args_for(2), false);
  EXPECT_EQ(pooled2["pool_starts"], 1);
  EXPECT_EQ(pooled2["pool_reruns"], 0);
  if (c.scenario == "counter") {
    EXPECT_EQ(histogram_of(pooled2), kCounter2x2);
  } else if (c.scenario == "inventory") {
    EXPECT_EQ(histogram_of(pooled2), kInventory2x2);
  }
  // Pooled and fresh side by side at 2 x 1 (fresh processes cost about a second each under
  // AddressSanitizer): the same histogram, interleavings and witnesses.
  const json pooled = explore(args_for(1), false);
  const json fresh = explore(args_for(1), true);
  EXPECT_EQ(histogram_of(pooled), histogram_of(fresh));
  EXPECT_EQ(pooled["interleavings"], fresh["interleavings"]);
  EXPECT_EQ(pooled["min"], fresh["min"]);
  EXPECT_EQ(pooled["max"], fresh["max"]);
  EXPECT_EQ(pooled["shortest_losing"], fresh["shortest_losing"]);
  if (c.scenario == "bank") {
    EXPECT_EQ(pooled["exhaustive"], false);
    EXPECT_EQ(pooled["interleavings"], 10);
  } else {
    EXPECT_EQ(pooled["exhaustive"], true);
    EXPECT_EQ(pooled["interleavings"], 6);
  }
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* scenario : {"counter", "inventory", "bank"}) {
    for (const char* backend : {"file", "mmap", "shm", "sqlite"})
      out.push_back({scenario, backend});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(ExplorePool, PooledAndFresh, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return i.param.scenario + "_" + i.param.backend;
                         });

// The round the pool of explorer `pid` is at (interleavings handed out so far), 0 if none yet.
std::uint32_t pool_round(pid_t explorer) {
  for (const std::string& name : shm_leftovers(explorer)) {
    // The control block is "shmlab-<pid>-<hex>"; its region carries a suffix.
    if (std::count(name.begin(), name.end(), '-') != 2) continue;
    try {
      return ControlSnapshot::read("/" + name).header().round.load(std::memory_order_relaxed);
    } catch (const std::system_error&) {
      return 0;  // not yet complete, or already gone
    }
  }
  return 0;
}

// Waits until the pool of the explore run in `tmp` has handed out `round` interleavings; returns
// its worker processes (none if that never happened).
std::vector<pid_t> pool_workers_at_round(const TempDir& tmp, std::uint32_t round) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::vector<pid_t> workers = processes_of(tmp.path(), "--pool");
    if (workers.size() == 2 && pool_round(parent_of(workers.front())) >= round) return workers;
    std::this_thread::sleep_for(1ms);
  }
  return {};
}

TEST(ExplorePool, KilledPoolWorkerIsReplacedAndTheHistogramStillMatchesTheModel) {
  TempDir tmp;
  std::vector<pid_t> workers;
  std::thread killer([&] {
    workers = pool_workers_at_round(tmp, 20);
    if (!workers.empty()) ::kill(workers.back(), SIGKILL);
  });
  // sqlite: the slowest reset, so the kill lands mid-exploration (20 of 924 handed out). The
  // limit is given: a measured one may turn 924 into a search on a slow (sanitized) build.
  const Outcome o = run_shmlab(
      {"explore", "-w", "2", "-n", "3", "--backend", "sqlite", "--limit", "1000", "--json"}, tmp,
      280);
  killer.join();
  ASSERT_EQ(workers.size(), 2u) << "the pool never reached round 20";
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(histogram_of(r), kCounter2x3);
  EXPECT_EQ(r["interleavings"], 924);
  // The killed worker's interleaving ran again on new processes, and a new pool took over.
  EXPECT_EQ(r["pool_reruns"], 1);
  EXPECT_EQ(r["pool_starts"], 2);
  EXPECT_NE(r["pool_failure"].get<std::string>().find("KILL"), std::string::npos) << r.dump();
  EXPECT_EQ(r["min"]["confirmed"], true);
  expect_nothing_left(o, tmp);
  EXPECT_TRUE(processes_of(tmp.path()).empty());
}

TEST(ExplorePool, SigintMidExplorationStopsThePoolAndRemovesEverything) {
  TempDir tmp;
  pid_t explorer = 0;
  std::thread sender([&] {
    const std::vector<pid_t> workers = pool_workers_at_round(tmp, 20);
    if (workers.empty()) return;
    explorer = parent_of(workers.front());
    ::kill(explorer, SIGINT);
  });
  // 12,870 interleavings: far from done when the signal comes.
  const Outcome o = run_shmlab(
      {"explore", "-w", "2", "-n", "4", "--limit", "20000", "--backend", "shm", "--json"}, tmp,
      280);
  sender.join();
  ASSERT_EQ(explorer, o.pid) << "the signal went to the explorer";
  EXPECT_EQ(o.exit_code, 128 + SIGINT) << o.err;
  EXPECT_NE(o.err.find("interrupted"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
  EXPECT_TRUE(processes_of(tmp.path()).empty());
}

TEST(ExplorePool, DefaultLimitIsMeasuredAndAGivenOneIsKept) {
  TempDir tmp;
  // 70 interleavings fit in a minute at any rate a pool reaches: every one runs.
  const Outcome measured = run_shmlab({"explore", "-w", "2", "-n", "2", "--json"}, tmp, 120);
  const json m = parse_result(measured);
  EXPECT_EQ(m["limit_measured"], true);
  EXPECT_EQ(m["exhaustive"], true);
  EXPECT_GE(m["limit"].get<std::uint64_t>(), 70u);
  EXPECT_EQ(m["abandoned_ms"], 0.0);
  const Outcome given =
      run_shmlab({"explore", "-w", "2", "-n", "2", "--limit", "69", "--json"}, tmp, 120);
  const json g = parse_result(given);
  EXPECT_EQ(g["limit_measured"], false);
  EXPECT_EQ(g["limit"], 69);
  EXPECT_EQ(g["exhaustive"], false);
  expect_nothing_left(given, tmp);
}

// --reduce, checked by brute force: every interleaving of the counter's R/W steps under none,
// keyed by what fixes its class when the only conflicts are on the one cell (a read and a write,
// or two writes): the order of the writes, and how many writes precede each read.
struct Classes {
  std::uint64_t count = 0;
  Histogram histogram;  // final value -> classes
};

Classes brute_force_classes(int workers, int increments) {
  using Key = std::pair<std::vector<int>, std::vector<std::pair<int, int>>>;
  std::map<Key, std::int64_t> finals;
  std::vector<int> pos(workers, 0), seq;
  const std::function<void()> go = [&] {
    bool any = false;
    for (int w = 0; w < workers; ++w) {
      if (pos[w] == 2 * increments) continue;
      any = true;
      ++pos[w];
      seq.push_back(w);
      go();
      seq.pop_back();
      --pos[w];
    }
    if (any) return;
    std::int64_t counter = 0;
    std::vector<std::int64_t> local(workers, 0);
    std::vector<int> taken(workers, 0);
    Key key;
    for (int w : seq) {
      if (taken[w]++ % 2 == 0) {
        local[w] = counter;
        // Each read is named by its worker and position; sorted below, so the key is an order of
        // the writes plus a set.
        key.second.push_back({w * 1000 + taken[w], static_cast<int>(key.first.size())});
      } else {
        counter = local[w] + 1;
        key.first.push_back(w);
      }
    }
    std::sort(key.second.begin(), key.second.end());
    finals[key] = counter;
  };
  go();
  Classes c;
  c.count = finals.size();
  for (const auto& [key, final] : finals) ++c.histogram[final];
  return c;
}

TEST(ExploreReduce, HistogramCountsClassesEqualToABruteForceOfConflictOrders) {
  for (const auto& [w, n] : {std::pair{2, 2}, std::pair{2, 3}, std::pair{3, 1}}) {
    const Classes want = brute_force_classes(w, n);
    const json r = explore({"-w", std::to_string(w), "-n", std::to_string(n), "--backend", "shm",
                            "--reduce", "--limit", "10000"},
                           false);
    EXPECT_EQ(r["reduced"], true);
    EXPECT_EQ(r["classes"], want.count) << w << " x " << n;
    EXPECT_EQ(r["interleavings"], want.count);
    EXPECT_EQ(histogram_of(r), want.histogram) << w << " x " << n;
    // Every class has one final value: the extremes are those of every interleaving.
    EXPECT_EQ(r["min"]["final"], want.histogram.begin()->first);
    EXPECT_EQ(r["max"]["final"], want.histogram.rbegin()->first);
    EXPECT_EQ(r["extremes_exact"], true);
  }
}

TEST(ExploreReduce, StepsThatNeverConflictMakeOneClass) {
  // sharded: each worker has its own cell, so every order of their steps is the same class.
  const json r = explore({"-w", "2", "-n", "2", "--strategy", "sharded", "--reduce"}, false);
  EXPECT_EQ(r["classes"], 1);
  EXPECT_EQ(histogram_of(r), (Histogram{{4, 1}}));
  EXPECT_EQ(r["total_interleavings"], 70);
}

}  // namespace
}  // namespace shmlab::test
