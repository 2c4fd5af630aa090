// `shmlab run` through the real binary: exact accounting, exit codes, nothing left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/expect.hpp"
#include "support/process_scan.hpp"
#include "support/run_state.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

TEST(RunCli, SeedDemoAccountsForEveryIncrement) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "--json", "--delay", "0-2:0-2:0-1"}, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["workers"], 3);
  EXPECT_EQ(r["increments"], 5);
  EXPECT_EQ(r["expected"], 15);
  // Counted from the write log, not from the counter: the writes nobody erased are the counter's
  // steps, so survivors (= final) and erased writes make up all 3 x 5 writes.
  EXPECT_EQ(r["final"].get<std::size_t>() + r["lost_total"].get<std::size_t>(), 15u);
  EXPECT_EQ(r["lost_total"].get<std::size_t>(), r["lost_updates"].get<std::size_t>());
  EXPECT_EQ(r["correct"], r["lost_updates"] == 0);
  EXPECT_EQ(o.exit_code, r["correct"].get<bool>() ? 0 : 3);
  EXPECT_EQ(r["exit_code"], o.exit_code);
  ASSERT_EQ(r["per_worker"].size(), 3u);
  for (const json& w : r["per_worker"]) {
    EXPECT_EQ(w["status"], "ok");
    EXPECT_EQ(w["ops"], 5);
    EXPECT_GT(w["pid"].get<int>(), 0);
    EXPECT_NE(w["pid"].get<int>(), o.pid);
  }
  expect_nothing_left(o, tmp);
}

TEST(RunCli, ZeroDelayRunReportsFinalPlusLostEqualsExpected) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "4", "-n", "2000", "--delay", "none", "--json", "-q"}, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["expected"], 8000);
  EXPECT_EQ(r["final"].get<std::size_t>() + r["lost_total"].get<std::size_t>(),
            8000u);  // survivors + erased
  EXPECT_EQ(r["lost_total"].get<std::size_t>(), r["lost_updates"].get<std::size_t>());
  EXPECT_EQ(r["attribution"], "exact");
  // Every attribution names a lost write and a different, surviving write.
  for (const json& l : r["lost"]) {
    EXPECT_EQ(l["wrote"].get<int>(), l["read"].get<int>() + 1);
    EXPECT_FALSE(l["worker"] == l["erased_by"]["worker"] && l["op"] == l["erased_by"]["op"]);
  }
  expect_nothing_left(o, tmp);
}

TEST(RunCli, OneWorkerIsExactlyCorrect) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "1", "-n", "200", "--delay", "none", "--json"}, tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["final"], 200);
  EXPECT_EQ(r["lost_updates"], 0);
  EXPECT_EQ(r["correct"], true);
  EXPECT_TRUE(r["lost"].empty());
  EXPECT_NE(o.err.find("No race this time"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

TEST(RunCli, SeedIsPrintedAndRecorded) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "1", "-n", "1", "--delay", "none", "--seed", "1234", "--json"}, tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(parse_result(o)["seed"], 1234);
  EXPECT_NE(o.err.find("seed 1234"), std::string::npos);
}

TEST(RunCli, LogLinesHaveTheSeedFormatAndNeverInterleave) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "4", "-n", "50", "--delay", "none", "--log", "all"}, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  std::size_t lines = 0;
  std::size_t start = 0;
  while (start < o.out.size()) {
    const std::size_t end = o.out.find('\n', start);
    const std::string line = o.out.substr(start, end - start);
    // [HH:MM:SS.mmm] [PID p] <icon> text
    ASSERT_EQ(line.rfind("[", 0), 0u) << line;
    ASSERT_EQ(line[13], ']') << line;
    ASSERT_EQ(line.substr(15, 5), "[PID ") << line;
    ++lines;
    start = end + 1;
  }
  EXPECT_GT(lines, 4u * 50u * 2u);
}

TEST(RunCli, KilledWorkerEndsTheRunWithExit4AndNothingLeft) {
  TempDir tmp;
  // Long enough that the worker is still running when we kill it.
  // Finds worker 2 of this test's run (its environment carries our TMPDIR) and SIGKILLs it.
  std::thread killer([&] {
    // /proc read without std::ifstream, which throws when a process vanishes mid-read.
    const std::string index_arg = std::string("--index") + '\0' + "1" + '\0';
    for (int i = 0; i < 500; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      for (const pid_t pid : processes_of(tmp.path(), "worker")) {
        if (read_proc_file(pid, "cmdline").find(index_arg) == std::string::npos) continue;
        // Let it get going: every worker has completed an operation.
        if (!wait_until_operating(parent_of(pid), std::chrono::seconds(30))) return;
        ::kill(pid, SIGKILL);
        return;
      }
    }
  });
  const Outcome o = run_shmlab({"run", "-w", "3", "-n", "400", "--delay", "1:0:0", "--json"}, tmp);
  killer.join();
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["per_worker"][1]["status"], "crashed");
  EXPECT_EQ(r["per_worker"][1]["signal"], SIGKILL);
  EXPECT_NE(o.err.find("Worker 2"), std::string::npos);
  expect_nothing_left(o, tmp);
}

}  // namespace
}  // namespace shmlab::test
