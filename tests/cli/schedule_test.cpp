// `shmlab run --schedule` through the real binary (SPEC §3): the classic lost update on every
// backend, exact replay, the tail, random:SEED, and the errors that name a token's position.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "shmlab/region/backend.hpp"
#include "shmlab/sync/strategy.hpp"
#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

// The result without what may differ between two runs of one schedule: times and PIDs.
json without_timings(json j) {
  j.erase("elapsed_ms");
  for (json& w : j["per_worker"]) {
    w.erase("pid");
    w.erase("lock_wait_ns");
  }
  return j;
}

// The workers' step log lines, without the timestamp and PID prefix: the trace order.
std::vector<std::string> step_lines(const std::string& err) {
  static const std::regex prefix(R"(^\[[^\]]*\] \[PID \d+\] \S+ )");
  std::vector<std::string> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    const std::string text = std::regex_replace(line, prefix, "");
    if (text.rfind("Worker ", 0) == 0 && text.find("PID") == std::string::npos) {
      out.push_back(text);
    }
  }
  return out;
}

class ScheduleOnBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(ScheduleOnBackend, ClassicScheduleLosesExactlyOneUpdateEveryTime) {
  for (int i = 0; i < 2; ++i) {
    TempDir tmp;
    const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--backend", GetParam(),
                                  "--schedule", "1R 2R 1W 2W", "--json"},
                                 tmp);
    EXPECT_EQ(o.exit_code, 3) << o.err;
    const json r = parse_result(o);
    EXPECT_EQ(r["final"], 1);
    EXPECT_EQ(r["lost_updates"], 1);
    EXPECT_EQ(r["schedule"], "1R 2R 1W 2W");
    EXPECT_EQ(r["schedule_taken"], "1R 2R 1W 2W 1V 2V");
    ASSERT_EQ(r["lost"].size(), 1u);
    EXPECT_EQ(r["lost"][0]["worker"], 1);
    EXPECT_EQ(r["lost"][0]["erased_by"]["worker"], 2);
    EXPECT_EQ(r["verify_detections"]["overwritten"], 1);  // worker 1's V sees worker 2's 1
    expect_nothing_left(o, tmp);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ScheduleOnBackend,
                         ::testing::Values("file", "mmap", "shm", "sqlite"));

TEST(ScheduleCli, SameScheduleTwiceGivesTheSameResultAndTraceOrder) {
  const std::vector<std::string> args = {
      "run", "-w", "3", "-n", "3", "--seed", "7", "--schedule", "1R 2R 3R 1W 2 3W 3 3 1 1 1 2"};
  TempDir tmp1, tmp2;
  const Outcome a = run_shmlab(args, tmp1);
  std::vector<std::string> json_args = args;
  json_args.push_back("--json");
  const Outcome aj = run_shmlab(json_args, tmp1);
  const Outcome bj = run_shmlab(json_args, tmp2);
  const Outcome b = run_shmlab(args, tmp2);
  ASSERT_EQ(aj.exit_code, bj.exit_code) << aj.err << bj.err;
  EXPECT_EQ(without_timings(parse_result(aj)), without_timings(parse_result(bj)));
  const auto lines = step_lines(a.out);
  EXPECT_GE(lines.size(), 18u) << a.out;  // 9 reads and 9 writes, at least
  EXPECT_EQ(lines, step_lines(b.out));
  expect_nothing_left(a, tmp1);
  expect_nothing_left(b, tmp2);
}

TEST(ScheduleCli, RandomScheduleIsPrintedInFullAndReplaysExactly) {
  TempDir tmp;
  const Outcome drawn = run_shmlab(
      {"run", "-w", "2", "-n", "2", "--seed", "1", "--schedule", "random:99", "--json"}, tmp);
  ASSERT_TRUE(drawn.exit_code == 0 || drawn.exit_code == 3) << drawn.err;
  const json r = parse_result(drawn);
  const std::string schedule = r["schedule"];
  EXPECT_EQ(std::count(schedule.begin(), schedule.end(), ' ') + 1, 12) << schedule;  // R W V x 4
  EXPECT_NE(drawn.err.find(schedule), std::string::npos) << drawn.err;
  const Outcome again = run_shmlab(
      {"run", "-w", "2", "-n", "2", "--seed", "1", "--schedule", "random:99", "--json"}, tmp);
  EXPECT_EQ(without_timings(parse_result(again)), without_timings(r));
  const Outcome pasted = run_shmlab(
      {"run", "-w", "2", "-n", "2", "--seed", "1", "--schedule", schedule, "--json"}, tmp);
  json p = without_timings(parse_result(pasted));
  EXPECT_EQ(p, without_timings(r));
  expect_nothing_left(pasted, tmp);
}

TEST(ScheduleCli, RemainingStepsRunWorkerByWorker) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--schedule", "2R", "--json"}, tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["schedule_taken"], "2R 1R 1W 1V 2W 2V");
  EXPECT_EQ(r["final"], 1);
  EXPECT_EQ(r["lost"][0]["worker"], 1);
  expect_nothing_left(o, tmp);
}

TEST(ScheduleCli, MutexScheduleSerialisesAndIsCorrect) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--strategy", "mutex", "--schedule", "2L 2R 2W", "--json"},
      tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["final"], 2);
  // Worker 1 is blocked at its L, so worker 2 unlocks first, then 1 runs its operation whole.
  EXPECT_EQ(r["schedule_taken"], "2L 2R 2W 2U 1L 1R 1W 1U 1V 2V");
  expect_nothing_left(o, tmp);
}

struct ScheduleError {
  std::string strategy;
  std::string schedule;
  std::string message;  // must appear in stderr
};

class ScheduleErrors : public ::testing::TestWithParam<ScheduleError> {};

TEST_P(ScheduleErrors, ExitTwoNamingTheTokenAndNothingLeft) {
  const ScheduleError& e = GetParam();
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--strategy", e.strategy, "--schedule", e.schedule}, tmp);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find(e.message), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(
    Tokens, ScheduleErrors,
    ::testing::Values(ScheduleError{"mutex", "1L 2L", "token 2 '2L': worker 2 is blocked"},
                      ScheduleError{"mutex", "1L 1R 2", "token 3 '2': worker 2 is blocked"},
                      ScheduleError{"none", "1R 1W 1R", "token 3 '1R': worker 1 has finished"},
                      ScheduleError{"none", "1 1 1V 2 1", "token 5 '1': worker 1 has finished"},
                      ScheduleError{"none", "1W", "token 1 '1W': worker 1's next step is R (read)"},
                      ScheduleError{"mutex", "1R",
                                    "token 1 '1R': worker 1's next step is L (lock)"},
                      ScheduleError{"none", "1R 3R", "token 2 '3R' names worker 3"},
                      ScheduleError{"none", "1L", "token 1 '1L': strategy none has no L step"},
                      ScheduleError{"none", "1R x", "token 2 'x'"},
                      ScheduleError{"none", "random:x", "random:SEED"}));

}  // namespace
}  // namespace shmlab::test
