// Signals to the coordinator through the real binary: SIGINT/SIGTERM stop the workers, remove
// every object and exit 130/143; SIGKILL takes the workers with it (no orphans) and leaves objects
// that a later run warns about and `shmlab clean` removes — touching nothing else.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/process_scan.hpp"
#include "support/run_state.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Long enough that it is still running when the signal comes; the test never waits for its end.
const std::vector<std::string> kLongRun = {"run",     "-w",      "3",     "-n",
                                           "1000000", "--delay", "1:0:0", "--json"};

// Waits until all `workers` worker processes of the run in `tmp` exist and have each completed an
// operation, then sends `sig` to their parent, the coordinator. Returns the coordinator's pid (0 if
// the workers never showed up).
pid_t signal_coordinator_once_running(const TempDir& tmp, int workers, int sig) {
  for (int i = 0; i < 2000; ++i) {
    std::this_thread::sleep_for(10ms);
    const auto pids = processes_of(tmp.path(), "worker");
    if (static_cast<int>(pids.size()) < workers) continue;
    const pid_t coordinator = parent_of(pids.front());
    // Past the start barrier, into the operations: every worker has completed one.
    if (!wait_until_operating(coordinator, 30s)) return 0;
    ::kill(coordinator, sig);
    return coordinator;
  }
  return 0;
}

bool no_processes_left(const TempDir& tmp, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (processes_of(tmp.path()).empty()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return processes_of(tmp.path()).empty();
}

class InterruptSignal : public ::testing::TestWithParam<int> {};

TEST_P(InterruptSignal, StopsWorkersRemovesEverythingAndExits128PlusSignal) {
  const int sig = GetParam();
  TempDir tmp;
  pid_t coordinator = 0;
  std::thread sender([&] { coordinator = signal_coordinator_once_running(tmp, 3, sig); });
  const Outcome o = run_shmlab(kLongRun, tmp, 60);
  sender.join();
  ASSERT_EQ(coordinator, o.pid) << "the signal went to the coordinator";
  EXPECT_EQ(o.exit_code, 128 + sig) << o.err;
  EXPECT_NE(o.err.find(std::string("Interrupted by ") + ::sigabbrev_np(sig)), std::string::npos)
      << o.err;
  const json r = json::parse(o.out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << o.out;
  EXPECT_EQ(r["exit_code"], 128 + sig);
  std::int64_t ops = 0;
  for (const json& w : r["per_worker"]) {
    EXPECT_EQ(w["status"], "killed") << w.dump();
    ops += w["ops"].get<std::int64_t>();
  }
  // The counter holds at most every completed write plus one unfinished write per killed worker.
  EXPECT_LE(r["final"].get<std::int64_t>(), ops + 3);
  EXPECT_TRUE(no_processes_left(tmp, 5s));
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
  EXPECT_TRUE(tmp.entries().empty());
}

INSTANTIATE_TEST_SUITE_P(RunCli, InterruptSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(::sigabbrev_np(i.param));
                         });

// A file in tmp named like a run's object, owned by `uid`, of a coordinator `pid`.
std::string plant(const TempDir& tmp, pid_t pid, const std::string& suffix,
                  uid_t uid = ::getuid()) {
  const std::string name = "shmlab-" + std::to_string(pid) + "-0123abcd" + suffix;
  std::ofstream(tmp.path() + "/" + name) << "not yours\n";
  if (uid != ::getuid()) {
    EXPECT_EQ(::chown((tmp.path() + "/" + name).c_str(), uid, uid), 0);
  }
  return name;
}

TEST(RunCli, KilledCoordinatorTakesItsWorkersAndCleanRemovesWhatItLeft) {
  TempDir tmp;
  // Names no live coordinator can have (pids above pid_max), or ours (alive): clean must spare
  // the live one, the foreign uid and the symlink; the dead one of ours is fair game.
  constexpr pid_t kDeadPid = 999999999;
  const std::string alive = plant(tmp, ::getpid(), ".json");
  const std::string dead = plant(tmp, kDeadPid, ".json");
  std::string foreign;
  if (::getuid() == 0) foreign = plant(tmp, kDeadPid, ".db", 65534);
  const std::string link = "shmlab-" + std::to_string(kDeadPid) + "-0123abcd-link";
  fs::create_symlink(tmp.path() + "/" + alive, tmp.path() + "/" + link);
  const std::string stranger = "shmlab-notarun.json";
  std::ofstream(tmp.path() + "/" + stranger) << "x\n";

  pid_t coordinator = 0;
  std::thread sender([&] { coordinator = signal_coordinator_once_running(tmp, 3, SIGKILL); });
  const Outcome o = run_shmlab(kLongRun, tmp, 60);
  sender.join();
  ASSERT_EQ(coordinator, o.pid);
  EXPECT_EQ(o.exit_code, 128 + SIGKILL);
  EXPECT_TRUE(no_processes_left(tmp, 5s)) << "workers outlived their coordinator";
  const auto shm_left = shm_leftovers(o.pid);
  ASSERT_EQ(shm_left.size(), 1u) << "the control block stays behind";
  // The region file, in the run's private directory.
  const std::string region = shm_left.front();
  ASSERT_TRUE(fs::is_directory(fs::symlink_status(tmp.path() + "/" + region)));
  ASSERT_TRUE(fs::exists(tmp.path() + "/" + region + "/" + region + ".json"));

  const Outcome later = run_shmlab({"run", "-w", "1", "-n", "1", "--delay", "none"}, tmp, 30);
  EXPECT_EQ(later.exit_code, 0) << later.err;
  EXPECT_NE(later.out.find("'shmlab clean' removes them"), std::string::npos) << later.out;

  // Only this test's runs: another suite's `clean` on this machine must not race with ours.
  const Outcome c = run_shmlab({"clean", shm_left.front(), "shmlab-999999999-0123abcd",
                                "shmlab-" + std::to_string(::getpid()) + "-0123abcd"},
                               tmp, 30);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("removed /dev/shm/" + shm_left.front()), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("removed " + tmp.path() + "/" + region), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("removed " + tmp.path() + "/" + dead), std::string::npos) << c.out;
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
  EXPECT_FALSE(fs::exists(tmp.path() + "/" + region));
  EXPECT_FALSE(fs::exists(tmp.path() + "/" + dead));
  for (const std::string& spared : {alive, link, stranger, foreign}) {
    if (spared.empty()) continue;
    EXPECT_TRUE(fs::exists(fs::symlink_status(tmp.path() + "/" + spared))) << spared;
    EXPECT_EQ(c.out.find(spared), std::string::npos) << c.out;
  }
}

}  // namespace
}  // namespace shmlab::test
