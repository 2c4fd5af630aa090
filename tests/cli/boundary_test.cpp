// The process boundary, through the real binary: a closed stdout, a full disk, a parent that
// ignores SIGCHLD, a worker that sleeps longer than the watchdog's timeout. Each ends as the
// contract says (SPEC §5, §6) and leaves nothing behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/expect.hpp"
#include "support/process_scan.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The coordinator's PID from its first log line "[HH:MM:SS.mmm] [PID p] ...".
pid_t pid_in_log(const std::string& out) {
  const auto at = out.find("[PID ");
  if (at == std::string::npos) return -1;
  return static_cast<pid_t>(std::stol(out.substr(at + 5)));
}

bool no_processes_left(const TempDir& tmp) {
  for (int i = 0; i < 250 && !processes_of(tmp.path()).empty(); ++i)
    std::this_thread::sleep_for(20ms);
  return processes_of(tmp.path()).empty();
}

struct ClosedPipe {
  const char* tag;
  const char* pipeline;  // "$0" is shmlab; it echoes its exit status on stderr
  std::size_t lines;     // what the reader keeps before it exits
};

class ClosedOutput : public ::testing::TestWithParam<ClosedPipe> {};

// Each worker sleeps 1 ms before each of its 5000 operations: the run cannot end on its own in
// under 5 s, so an end before that is the reader's going, handled.
TEST_P(ClosedOutput, StopsTheRunQuietlyAndRemovesEverything) {
  TempDir tmp;
  const auto t0 = std::chrono::steady_clock::now();
  const Outcome o = run_program({"/bin/sh", "-c", GetParam().pipeline, shmlab_binary()}, tmp, 60,
                                /*own_group=*/true);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(elapsed, 5s) << "the run went on after its reader had gone";
  std::size_t lines = 0;
  for (char c : o.out) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, GetParam().lines) << o.out;
  // Quietly: no worker or coordinator line on the terminal, only the shell's echo of the status.
  EXPECT_EQ(o.err, "shmlab-exit=141\n");
  const pid_t coordinator = pid_in_log(o.out);
  ASSERT_GT(coordinator, 0) << o.out;
  EXPECT_TRUE(no_processes_left(tmp)) << "a worker outlived the run";
  EXPECT_TRUE(shm_leftovers(coordinator).empty()) << "left in /dev/shm";
  EXPECT_TRUE(tmp.entries().empty()) << "left in TMPDIR: " << tmp.entries().front();
}

INSTANTIATE_TEST_SUITE_P(
    RunCli, ClosedOutput,
    ::testing::Values(
        ClosedPipe{
            "head",
            R"({ "$0" run -n 5000 --delay 1:0:0 --seed 11; echo "shmlab-exit=$?" >&2; } | head -1)",
            1},
        ClosedPipe{
            "timeline",
            R"({ "$0" run -n 5000 --delay 1:0:0 --timeline 2>/dev/null; echo "shmlab-exit=$?" >&2; } | head -2)",
            2}),
    [](const ::testing::TestParamInfo<ClosedPipe>& i) { return std::string(i.param.tag); });

TEST(RunCli, ResultToAFullDiskIsAnEnvironmentFailure) {
  TempDir tmp;
  const Outcome o =
      run_program({"/bin/sh", "-c", R"(exec "$0" run -w 1 -n 1 --delay none --json >/dev/full)",
                   shmlab_binary()},
                  tmp, 60);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("No space left on device"), std::string::npos) << o.err;
  EXPECT_TRUE(no_processes_left(tmp));
  EXPECT_TRUE(tmp.entries().empty());
}

// A parent that ignores SIGCHLD and blocks SIGTERM hands both down through exec; with SIGCHLD
// ignored the kernel reaps the workers itself and a run that finished in milliseconds looked stuck
// until the watchdog's timeout.
TEST(RunCli, InheritedSignalStateDoesNotChangeTheOutcome) {
  if (!fs::exists("/usr/bin/perl")) GTEST_SKIP() << "needs perl to exec with SIGCHLD ignored";
  TempDir tmp;
  const Outcome o = run_program(
      {"/usr/bin/perl", "-e",
       "use POSIX; $SIG{CHLD} = 'IGNORE'; $SIG{INT} = 'IGNORE';"
       "sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM, SIGCHLD)); exec @ARGV or exit 99",
       shmlab_binary(), "run", "-w", "2", "-n", "2", "--delay", "none", "--timeout", "5",
       "--strategy", "mutex", "--json"},
      tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err.find("Watchdog"), std::string::npos) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["final"], 4);
  for (const json& w : r["per_worker"]) EXPECT_EQ(w["status"], "ok") << w.dump();
  EXPECT_TRUE(no_processes_left(tmp));
  expect_nothing_left(o, tmp);
}

// A worker asleep in a 2 s delay is alive: a 1 s watchdog must not call it dead or stuck.
TEST(RunCli, WorkerSleepingPastTheTimeoutIsNotStopped) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "-w", "1", "-n", "1", "--delay", "2000:0:0", "--timeout", "1", "--json"}, tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err.find("Watchdog"), std::string::npos) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["final"], 1);
  EXPECT_EQ(r["per_worker"][0]["status"], "ok");
  EXPECT_GE(r["elapsed_ms"].get<double>(), 2000.0);
  expect_nothing_left(o, tmp);
}

}  // namespace
}  // namespace shmlab::test
