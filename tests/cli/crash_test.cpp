// --crash through the real binary: each strategy × crash point ends as docs/faults.md says — the
// others finish (robust mutex recovery, kernel-released locks, SQLite rollback) or the watchdog
// names the dead holder — with the dead worker's increments accounted for exactly and nothing left.
// Every strategy and backend is built: a case that cannot run fails, never skips.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

enum class Expect {
  kOthersFinish,  // the others complete every operation; the run ends exit 4 (a worker crashed)
  kStuck,         // the others wait forever on a lock nobody releases: the watchdog ends the run
};

struct CrashCase {
  std::string strategy;
  std::string backend;
  std::string point;
  Expect expect;
  std::string dead_write;  // what became of the dead worker's write: "not made", "landed", ...
  int recoveries = 0;      // robust mutex owner deaths taken over
  bool exact = true;       // final == expected (false for `none`: it loses updates anyway)
};

// gtest prints a case by this, not as bytes.
void PrintTo(const CrashCase& c, std::ostream* os) {
  *os << c.strategy << "/" << c.backend << " @" << c.point;
}

constexpr int kWorkers = 3;
constexpr int kOps = 150;
constexpr int kDeadWorker = 2;
constexpr int kDeadOp = 2;  // it completes op 1, dies in op 2

class CrashPoints : public ::testing::TestWithParam<CrashCase> {};

TEST_P(CrashPoints, EndAsDocumentedWithTheDeadWorkersIncrementsAccountedFor) {
  const CrashCase& c = GetParam();
  TempDir tmp;
  const std::string spec =
      std::to_string(kDeadWorker) + "@" + c.point + ":" + std::to_string(kDeadOp);
  const double timeout_s = 3;  // the start barrier has its own bound (at least 30 s)
  const auto t0 = std::chrono::steady_clock::now();
  // The 1 ms before each READ keeps the others busy long after worker 2 dies in its 2nd op.
  const Outcome o = run_shmlab({"run", "-w", std::to_string(kWorkers), "-n", std::to_string(kOps),
                                "--delay", "1:0:0", "--strategy", c.strategy, "--backend",
                                c.backend, "--crash", spec, "--timeout", "3", "--json"},
                               tmp, 60);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const json r = json::parse(o.out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << o.out << o.err;
  EXPECT_EQ(r["crash"]["spec"], spec);

  const json& dead = r["per_worker"][kDeadWorker - 1];
  EXPECT_EQ(dead["status"], "crashed");
  EXPECT_EQ(dead["signal"], SIGKILL);
  EXPECT_EQ(dead["ops"], kDeadOp - 1) << "it completed exactly the operations before the crash";
  ASSERT_TRUE(dead.contains("unfinished_op")) << dead.dump();
  EXPECT_EQ(dead["unfinished_op"]["op"], kDeadOp);
  EXPECT_EQ(dead["unfinished_op"]["write"], c.dead_write);
  // atomic and sharded log no write: what it read and wrote is unknown (null), never "0 → 0".
  const json& read = dead["unfinished_op"]["read"];
  const json& wrote = dead["unfinished_op"]["wrote"];
  if (c.strategy == "atomic" || c.strategy == "sharded") {
    EXPECT_TRUE(read.is_null() && wrote.is_null()) << dead.dump();
    EXPECT_EQ(o.err.find(" → 0 in its op"), std::string::npos) << o.err;
  } else if (c.dead_write != "not made") {
    EXPECT_EQ(wrote.get<std::int64_t>(), read.get<std::int64_t>() + 1) << dead.dump();
  }

  std::int64_t completed = 0;
  for (const json& w : r["per_worker"]) completed += w["ops"].get<std::int64_t>();
  const std::int64_t landed = c.dead_write == "landed" ? 1 : 0;
  EXPECT_EQ(r["expected"], completed + landed) << "expected = completed ops + the landed write";
  if (c.exact) {
    EXPECT_EQ(r["final"], r["expected"]) << o.err;
    EXPECT_EQ(r["lost_updates"], 0);
  } else {
    // `none` may lose any number of them, but the counter only ever holds a written value.
    EXPECT_GE(r["final"].get<std::int64_t>(), 1);
    EXPECT_LE(r["final"].get<std::int64_t>(), r["expected"].get<std::int64_t>());
  }
  EXPECT_EQ(r["recoveries"], c.recoveries) << o.err;

  for (int i = 0; i < kWorkers; ++i) {
    if (i == kDeadWorker - 1) continue;
    const json& w = r["per_worker"][i];
    if (c.expect == Expect::kOthersFinish) {
      EXPECT_EQ(w["status"], "ok") << w.dump();
      EXPECT_EQ(w["ops"], kOps);
    } else {
      EXPECT_EQ(w["status"], "timeout") << w.dump();
      EXPECT_LT(w["ops"].get<int>(), kOps);
    }
  }
  if (c.expect == Expect::kStuck) {
    const std::string holder = "worker " + std::to_string(kDeadWorker) + " (pid " +
                               std::to_string(dead["pid"].get<int>()) + ") died holding the " +
                               c.strategy;
    ASSERT_TRUE(r.contains("watchdog")) << o.err;
    EXPECT_NE(r["watchdog"].get<std::string>().find(holder), std::string::npos) << r["watchdog"];
    EXPECT_NE(o.err.find(holder), std::string::npos) << o.err;
    // Ended by the watchdog within --timeout of the last progress, not by the test's own limit.
    EXPECT_LT(took, timeout_s + 30);
  } else {
    EXPECT_FALSE(r.contains("watchdog")) << r["watchdog"];
  }
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
  EXPECT_TRUE(tmp.entries().empty());
}

std::vector<CrashCase> crash_cases() {
  const Expect finish = Expect::kOthersFinish;
  const Expect stuck = Expect::kStuck;
  std::vector<CrashCase> v = {
      {"none", "file", "after-read", finish, "not made", 0, false},
      {"none", "file", "after-write", finish, "landed", 0, false},
      {"mutex", "file", "before-lock", finish, "not made", 0},
      {"mutex", "file", "locked", finish, "not made", 1},
      {"mutex", "file", "after-read", finish, "not made", 1},
      {"mutex", "file", "after-write", finish, "landed", 1},
      {"mutex", "file", "before-unlock", finish, "landed", 1},
  };
  // Locks the kernel releases with their holder's death.
  for (const char* s : {"flock", "ofd"}) {
    v.push_back({s, "file", "before-lock", finish, "not made"});
    v.push_back({s, "file", "locked", finish, "not made"});
    v.push_back({s, "file", "after-read", finish, "not made"});
    v.push_back({s, "file", "after-write", finish, "landed"});
    v.push_back({s, "file", "before-unlock", finish, "landed"});
  }
  // Locks nobody releases for a dead holder.
  for (const char* s : {"spinlock", "semaphore"}) {
    v.push_back({s, "file", "before-lock", finish, "not made"});
    v.push_back({s, "file", "locked", stuck, "not made"});
    v.push_back({s, "file", "after-read", stuck, "not made"});
    v.push_back({s, "file", "after-write", stuck, "landed"});
    v.push_back({s, "file", "before-unlock", stuck, "landed"});
  }
  // SQLite rolls back a transaction whose process died before COMMIT.
  v.push_back({"transaction", "sqlite", "before-lock", finish, "not made"});
  v.push_back({"transaction", "sqlite", "locked", finish, "not made"});
  v.push_back({"transaction", "sqlite", "after-read", finish, "not made"});
  v.push_back({"transaction", "sqlite", "after-write", finish, "rolled back"});
  v.push_back({"transaction", "sqlite", "before-unlock", finish, "rolled back"});
  v.push_back({"atomic", "shm", "after-write", finish, "landed"});
  v.push_back({"cas", "shm", "after-read", finish, "not made"});
  v.push_back({"cas", "shm", "after-write", finish, "landed"});
  v.push_back({"sharded", "shm", "after-read", finish, "not made"});
  v.push_back({"sharded", "shm", "after-write", finish, "landed"});
  return v;
}

std::string case_name(const ::testing::TestParamInfo<CrashCase>& info) {
  std::string name = info.param.strategy + "_" + info.param.backend + "_" + info.param.point;
  for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(RunCli, CrashPoints, ::testing::ValuesIn(crash_cases()), case_name);

struct Refused {
  std::vector<std::string> args;
  std::string mentions;
};

void PrintTo(const Refused& r, std::ostream* os) {
  for (const std::string& a : r.args) *os << a << ' ';
}

class RefusedCrash : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusedCrash, ExitTwoNamingCrashAndCreateNothing) {
  TempDir tmp;
  std::vector<std::string> args = {"run", "-w", "3", "-n", "5"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  const Outcome o = run_shmlab(args, tmp, 20);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("--crash"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(GetParam().mentions), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
  EXPECT_TRUE(tmp.entries().empty());
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
}

INSTANTIATE_TEST_SUITE_P(
    RunCli, RefusedCrash,
    ::testing::Values(
        // A point the strategy never passes through would never fire.
        Refused{{"--crash", "1@before-lock"}, "never passes 'before-lock'"},
        Refused{{"--crash", "1@locked"}, "never passes 'locked'"},
        Refused{{"--crash", "1@before-unlock"}, "its points: after-read, after-write"},
        Refused{{"--strategy", "atomic", "--backend", "shm", "--crash", "1@after-read"},
                "never passes 'after-read'"},
        Refused{{"--strategy", "cas", "--backend", "shm", "--crash", "1@locked"},
                "never passes 'locked'"},
        Refused{{"--crash", "4@after-read"}, "worker 4 does not exist"},
        Refused{{"--crash", "1@after-read:6"}, "operation 6 does not exist"},
        Refused{{"--crash", "0@after-read"}, "not a positive integer"},
        Refused{{"--crash", "-1@after-read"}, "not a positive integer"},
        Refused{{"--crash", "1@after-read:0"}, "not a positive integer"},
        Refused{{"--crash", "1@after-read:-2"}, "not a positive integer"},
        Refused{{"--crash", "1@after-read:99999999999999999999999"}, "not a positive integer"},
        Refused{{"--crash", "99999999999@after-read"}, "not a positive integer"},
        Refused{{"--crash", "1@sideways"}, "unknown point 'sideways'"},
        Refused{{"--crash", "1after-read"}, "no '@'"}, Refused{{"--crash", ""}, "no '@'"},
        Refused{{"--crash", "1@"}, "unknown point ''"},
        Refused{{"--crash", "1@after-read:"}, "not a positive integer"}),
    [](const ::testing::TestParamInfo<Refused>& i) { return std::to_string(i.index); });

}  // namespace
}  // namespace shmlab::test
