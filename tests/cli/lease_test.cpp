// `lease`, `--fencing` and `--pause` through the real binary (docs/lease.md). The outcomes are
// made certain by a schedule, not by timing: under "1L 1R 2L 2R 2W 2U 1W" worker 2's L is granted
// only once worker 1 is back from its pause (a scheduler grants nothing while a worker is away
// from its boundary), long after worker 1's 200 ms lease expired; so worker 2 takes the lease
// over, writes, and worker 1's W comes late, on every backend that has a lease.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/expect.hpp"
#include "support/process_scan.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// 2 workers x 3 increments; worker 1 reads, stops for 600 ms (its lease lasts 200), worker 2 takes
// the expired lease and writes, then worker 1 writes late. The tail runs the rest in order.
const std::string kLateWrite = "1L 1R 2L 2R 2W 2U 1W";

std::vector<std::string> lease_args(const std::string& backend, bool fencing) {
  std::vector<std::string> a = {
      "run",       "-w",        "2",       "-n",    "3",       "--strategy",       "lease",
      "--backend", backend,     "--lease", "200",   "--pause", "1@after-read:600", "--schedule",
      kLateWrite,  "--timeout", "20",      "--json"};
  if (fencing) a.insert(a.end(), {"--fencing", "--timeline"});
  return a;
}

class LeaseBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(LeaseBackend, LateWriteOfAnExpiredLeaseLosesAnUpdate) {
  TempDir tmp;
  const Outcome o = run_shmlab(lease_args(GetParam(), false), tmp, 60);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["final"], 5);
  EXPECT_EQ(r["lost_updates"], 1);
  ASSERT_EQ(r["lost"].size(), 1u) << r.dump();
  // Worker 2's write of op 1 was erased by worker 1's late write, built on the same read.
  EXPECT_EQ(r["lost"][0]["worker"], 2);
  EXPECT_EQ(r["lost"][0]["erased_by"]["worker"], 1);
  EXPECT_EQ(r["lost"][0]["erased_by"]["op"], 1);
  EXPECT_EQ(r["lease"]["fencing"], false);
  EXPECT_EQ(r["lease"]["leases_expired"], 1);  // worker 1's release found it taken over
  EXPECT_EQ(r["lease"]["late_writes_rejected"], 0);
  EXPECT_EQ(r["pause"]["worker"], 1);
  EXPECT_EQ(r["pause"]["point"], "after-read");
  EXPECT_EQ(r["pause"]["paused"], true);
  EXPECT_GE(r["pause"]["stopped_ms"].get<double>(), 600.0);
  EXPECT_NE(o.err.find("took the lease over from worker 1"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

TEST_P(LeaseBackend, FencingRefusesTheLateWriteAndTheCountEndsExact) {
  TempDir tmp;
  const Outcome o = run_shmlab(lease_args(GetParam(), true), tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["final"], 6);
  EXPECT_EQ(r["lost_updates"], 0);
  EXPECT_EQ(r["lease"]["fencing"], true);
  EXPECT_EQ(r["lease"]["late_writes_rejected"], 1);
  EXPECT_EQ(r["per_worker"][0]["late_writes_rejected"], 1);
  EXPECT_EQ(r["per_worker"][1]["late_writes_rejected"], 0);
  // The refused W sends worker 1 back to its L: it redoes the operation with a new grant.
  const std::string taken = r["schedule_taken"];
  EXPECT_EQ(taken.rfind("1L 1R 2L 2R 2W 2U 1W 1L 1R 1W 1U", 0), 0u) << taken;
  EXPECT_NE(o.err.find("late write 0 → 1 was refused: it carries token 1"), std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("W 0→1 ✗ refused"), std::string::npos) << o.err;  // the timeline
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(RunCli, LeaseBackend, ::testing::Values("shm", "mmap", "sqlite"));

TEST(LeaseCli, FencingKeepsEveryUpdateWhenTheOsSchedules) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "3", "--strategy", "lease", "--backend", "shm", "--lease",
                  "200", "--pause", "1@after-read:600", "--fencing", "--delay", "none", "--json"},
                 tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["final"], 6);
  expect_nothing_left(o, tmp);
}

// Whatever the OS did, the schedule observed replays it: a lease is ordered by its cells, not as
// a lock that excludes (a grant can be taken over before its holder's U), and the pause goes into
// the replay command.
TEST(LeaseCli, AnOsScheduledLeaseRunReplaysWithItsPause) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "3", "--strategy", "lease", "--backend", "shm", "--lease",
                  "200", "--pause", "1@after-read:600", "--replay-check", "--json"},
                 tmp, 60);
  const json r = parse_result(o);
  ASSERT_TRUE(r.is_object()) << o.err;
  ASSERT_TRUE(r["replay_command"].is_string()) << r["observed_schedule_reason"];
  const std::string cmd = r["replay_command"];
  EXPECT_NE(cmd.find("--lease 200 --pause 1@after-read:600 --schedule"), std::string::npos) << cmd;
  EXPECT_EQ(r["replay_check"]["confirmed"], true) << r["replay_check"].dump();
  expect_nothing_left(o, tmp);
}

// Fencing makes the lease a fix whatever the timing: 8 workers without delays end exact.
TEST(LeaseCli, FencingEndsExactWithEightWorkersAndNoDelay) {
  for (const auto& [backend, n] : {std::pair{"shm", 5000}, std::pair{"sqlite", 300}}) {
    TempDir tmp;
    const Outcome o =
        run_shmlab({"run", "-w", "8", "-n", std::to_string(n), "--strategy", "lease", "--fencing",
                    "--backend", backend, "--delay", "none", "--json", "-q", "--timeout", "30"},
                   tmp, 100);
    EXPECT_EQ(o.exit_code, 0) << backend << ": " << o.err;
    const json r = parse_result(o);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["final"], 8 * n) << backend;
    EXPECT_EQ(r["attribution"], "exact") << backend;
    expect_nothing_left(o, tmp);
  }
}

TEST(LeaseCli, RefusesAFileBackendAndLeaseOptionsOfOtherStrategies) {
  TempDir tmp;
  const Outcome file = run_shmlab({"run", "--strategy", "lease", "--backend", "file"}, tmp, 20);
  EXPECT_EQ(file.exit_code, 2);
  EXPECT_NE(file.err.find("strategy 'lease' runs on: mmap, shm, sqlite, postgres"),
            std::string::npos)
      << file.err;
  const Outcome lease = run_shmlab({"run", "--strategy", "mutex", "--lease", "100"}, tmp, 20);
  EXPECT_EQ(lease.exit_code, 2);
  EXPECT_NE(lease.err.find("only --strategy lease"), std::string::npos) << lease.err;
  const Outcome pause = run_shmlab({"run", "--pause", "1@locked:100"}, tmp, 20);
  EXPECT_EQ(pause.exit_code, 2);
  EXPECT_NE(pause.err.find("never passes 'locked'"), std::string::npos) << pause.err;
}

// A mutex held by a paused worker holds everyone up: whoever took the lock first, worker 2's L
// never completes while worker 1 is stopped holding it (between its stop and its resumption).
TEST(PauseCli, AMutexHeldByAPausedWorkerHoldsTheOthersUp) {
  TempDir tmp;
  TempDir out;  // the trace, apart: `tmp` must end empty
  const std::string trace = out.path() + "/trace.json";
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "2", "--strategy", "mutex", "--backend", "shm", "--delay",
                  "none", "--pause", "1@locked:300", "--trace", trace, "--json"},
                 tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["final"], 4);
  ASSERT_EQ(r["pause"]["paused"], true);
  const double stop = r["pause"]["paused_at_ms"].get<double>() * 1000;  // µs, as the trace
  const double resume = stop + r["pause"]["stopped_ms"].get<double>() * 1000;
  EXPECT_GE(resume - stop, 300'000.0);
  std::ifstream in(trace);
  const json t = json::parse(in, nullptr, false);
  ASSERT_FALSE(t.is_discarded());
  int locks = 0;
  for (const json& e : t["traceEvents"]) {
    if (e.value("ph", "") != "X" || e.value("cat", "") != "lock") continue;
    if (e["pid"] != r["per_worker"][1]["pid"]) continue;  // the trace names workers by pid
    ++locks;
    const double end = e["ts"].get<double>() + e["dur"].get<double>();
    EXPECT_FALSE(end > stop && end < resume) << "worker 2 took the mutex while worker 1 held it "
                                                "stopped: "
                                             << e.dump();
  }
  EXPECT_EQ(locks, 2) << t.dump();
  expect_nothing_left(o, tmp);
}

// A pause longer than --timeout is known, not a hang: the watchdog waits for the resumption, and
// the worker held up behind the paused one is not reported stuck either. Outside the pause the
// watchdog still counts: a step can take 100 ms on a loaded 2-core machine (1 of 20 runs with
// --timeout 0.1 was stopped, at load 5, unsanitized), so --timeout stays far above that.
TEST(PauseCli, TheWatchdogDoesNotStopAKnownPause) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "1", "--strategy", "mutex", "--backend", "shm", "--delay",
                  "none", "--pause", "1@locked:4000", "--timeout", "2", "--json"},
                 tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  ASSERT_TRUE(r.is_object());
  EXPECT_FALSE(r.contains("watchdog")) << r["watchdog"];
  EXPECT_EQ(r["final"], 2);
  EXPECT_GE(r["pause"]["stopped_ms"].get<double>(), 4000.0);
  expect_nothing_left(o, tmp);
}

// Ctrl-C while a worker is stopped: it is resumed or killed, and nothing is left behind.
TEST(PauseCli, InterruptDuringAPauseLeavesNothingBehind) {
  TempDir tmp;
  pid_t coordinator = 0;
  std::thread sender([&] {
    for (int i = 0; i < 1000 && coordinator == 0; ++i) {
      std::this_thread::sleep_for(10ms);
      for (pid_t w : processes_of(tmp.path(), "worker")) {
        std::ifstream stat("/proc/" + std::to_string(w) + "/stat");
        std::string line;
        std::getline(stat, line);
        const auto close = line.rfind(')');
        if (close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'T') {
          coordinator = parent_of(w);
          ::kill(coordinator, SIGINT);
          break;
        }
      }
    }
  });
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--strategy", "mutex", "--backend",
                                "shm", "--delay", "none", "--pause", "1@locked:60000", "--json"},
                               tmp, 60);
  sender.join();
  ASSERT_EQ(coordinator, o.pid) << o.err;
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_TRUE(processes_of(tmp.path()).empty());
  expect_nothing_left(o, tmp);
}

}  // namespace
}  // namespace shmlab::test
