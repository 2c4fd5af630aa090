// --crash under --schedule through the real binary (docs/faults.md, docs/schedules.md): the crashed
// worker takes no more steps, the schedule's later tokens for it are skipped and reported (not a
// usage error), the others follow the rest of the schedule, and the run ends exit 4 as every crash
// does — deterministically: the same schedule gives the same outcome, and nothing is left behind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

struct ScheduledCrash {
  std::string name;
  std::string strategy;
  std::string schedule;
  std::string crash;
  std::string taken;            // every step granted
  json skipped;                 // [{position, token}]
  std::string dead_write;       // the dead worker's unfinished write
  bool stuck = false;           // a lock nobody releases: the watchdog ends the run
  std::int64_t lost = 0;        // lost updates
  std::int64_t recoveries = 0;  // robust mutex owner deaths taken over
};

void PrintTo(const ScheduledCrash& c, std::ostream* os) { *os << c.name; }

// Worker 1 dies in its first operation; worker 2 has 2 operations to do.
std::vector<std::string> args_of(const ScheduledCrash& c) {
  return {"run",        "-w",       "2",       "-n",    "2",         "--strategy", c.strategy,
          "--schedule", c.schedule, "--crash", c.crash, "--timeout", "3",          "--json"};
}

// What may differ between two runs of one schedule: times, PIDs and the (unused) delay seed.
json without_timings(json j) {
  j.erase("elapsed_ms");
  j.erase("seed");
  for (json& w : j["per_worker"]) {
    w.erase("pid");
    w.erase("lock_wait_ns");
  }
  if (j.contains("watchdog")) {
    j["watchdog"] =
        std::regex_replace(j["watchdog"].get<std::string>(), std::regex(R"(pid \d+)"), "pid N");
  }
  return j;
}

class CrashUnderSchedule : public ::testing::TestWithParam<ScheduledCrash> {};

TEST_P(CrashUnderSchedule, SkipsTheDeadWorkersTokensAndEndsExitFour) {
  const ScheduledCrash& c = GetParam();
  json first;
  // A stuck run costs the watchdog's --timeout: run it once; the others twice, to compare.
  for (int run = 0; run < (c.stuck ? 1 : 2); ++run) {
    TempDir tmp;
    const Outcome o = run_shmlab(args_of(c), tmp, 60);
    EXPECT_EQ(o.exit_code, 4) << o.err;
    const json r = parse_result(o);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["exit_code"], 4);
    EXPECT_EQ(r["schedule_taken"], c.taken);
    EXPECT_EQ(r["schedule_skipped"], c.skipped);
    if (!c.skipped.empty()) {
      EXPECT_NE(o.err.find("Schedule: skipped token " +
                           std::to_string(c.skipped[0]["position"].get<int>())),
                std::string::npos)
          << o.err;
    }
    EXPECT_EQ(o.err.find("--schedule:"), std::string::npos) << "no schedule error: " << o.err;

    const json& dead = r["per_worker"][0];
    EXPECT_EQ(dead["status"], "crashed");
    EXPECT_EQ(dead["ops"], 0);
    EXPECT_EQ(dead["unfinished_op"]["write"], c.dead_write);
    const json& other = r["per_worker"][1];
    EXPECT_EQ(r["recoveries"], c.recoveries);
    // Not every worker finished: the summary must not say so.
    EXPECT_EQ(o.err.find("All workers finished"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(c.stuck ? "Run stopped by the watchdog (above): the workers were stopped"
                                 : "Run ended with a failed worker (above)"),
              std::string::npos)
        << o.err;
    if (c.stuck) {
      EXPECT_EQ(other["status"], "timeout");
      EXPECT_NE(r["watchdog"].get<std::string>().find("worker 1 (pid " +
                                                      std::to_string(dead["pid"].get<int>()) +
                                                      ") died holding the " + c.strategy),
                std::string::npos)
          << r["watchdog"];
    } else {
      EXPECT_EQ(other["status"], "ok");
      EXPECT_EQ(other["ops"], 2);
      EXPECT_FALSE(r.contains("watchdog"));
    }
    EXPECT_EQ(r["lost_updates"], c.lost);
    EXPECT_EQ(r["final"].get<std::int64_t>() + c.lost, r["expected"].get<std::int64_t>());
    expect_nothing_left(o, tmp);
    if (run == 0) {
      first = without_timings(r);
    } else {
      EXPECT_EQ(without_timings(r), first) << "the same schedule must give the same run";
    }
  }
}

json skipped(std::initializer_list<std::pair<int, const char*>> tokens) {
  json out = json::array();
  for (const auto& [position, token] : tokens)
    out.push_back({{"position", position}, {"token", token}});
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    CrashUnderScheduleCli, CrashUnderSchedule,
    ::testing::Values(
        // none: worker 1 dies after its read; its W is skipped, worker 2 does both operations.
        ScheduledCrash{"none_after_read", "none", "1R 2R 1W 2W 2R 2W", "1@after-read:1",
                       "1R 2R 2W 2V 2R 2W 2V", skipped({{3, "1W"}}), "not made"},
        // none: worker 1's write lands and is erased by worker 2's (read before it): 1 lost.
        ScheduledCrash{"none_after_write", "none", "1R 2R 1W 2W 1V", "1@after-write:1",
                       "1R 2R 1W 2W 2V 2R 2W 2V", skipped({{5, "1V"}}), "landed", false, 1},
        // mutex: worker 1 dies holding the lock; worker 2's L gets EOWNERDEAD and recovers it.
        ScheduledCrash{"mutex_locked", "mutex", "1L 1R 2L 1W 2R 2W", "1@locked:1",
                       "1L 2L 2R 2W 2U 2V 2L 2R 2W 2U 2V", skipped({{2, "1R"}, {4, "1W"}}),
                       "not made", false, 0, 1},
        // spinlock: nothing releases a dead holder's spin word: worker 2 spins in its L until the
        // watchdog stops the run and names the dead holder.
        ScheduledCrash{"spinlock_locked", "spinlock", "1L 1R 2L", "1@locked:1", "1L 2L",
                       skipped({{2, "1R"}}), "not made", true},
        // semaphore: worker 1 dies entering U with its write landed; worker 2 waits in sem_wait.
        ScheduledCrash{"semaphore_before_unlock", "semaphore", "1L 1R 1W 1U 2L 1V",
                       "1@before-unlock:1", "1L 1R 1W 1U 2L", json::array(), "landed", true}),
    [](const ::testing::TestParamInfo<ScheduledCrash>& i) { return i.param.name; });

}  // namespace
}  // namespace shmlab::test
