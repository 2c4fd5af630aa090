// `shmlab run --initial N` through the real binary: the counter starts at N on every backend, so
// the seed's diagram (both read 5, both write 6) is one schedule; the other scenarios refuse it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/bad_usage.hpp"
#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

class InitialOnBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(InitialOnBackend, SeedDiagramLosesOneOfTwoIncrementsFromFive) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--initial", "5", "--backend",
                                GetParam(), "--schedule", "1R 2R 1W 2W", "--json"},
                               tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["initial"], 5);
  EXPECT_EQ(r["expected"], 7);
  EXPECT_EQ(r["final"], 6);
  EXPECT_EQ(r["lost_updates"], 1);
  ASSERT_EQ(r["lost"].size(), 1u);
  EXPECT_EQ(r["lost"][0]["worker"], 1);
  EXPECT_EQ(r["lost"][0]["erased_by"]["worker"], 2);
  EXPECT_NE(o.err.find("Initialized counter to 5"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

TEST_P(InitialOnBackend, SerialScheduleEndsAtInitialPlusEveryIncrement) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "2", "--initial", "40", "--backend",
                                GetParam(), "--schedule", "1R 1W 1V 1R 1W 1V", "--json"},
                               tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["expected"], 44);
  EXPECT_EQ(r["final"], 44);
  EXPECT_EQ(r["lost_updates"], 0);
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(Backends, InitialOnBackend,
                         ::testing::Values("file", "mmap", "shm", "sqlite"));

TEST(InitialCli, TextEndsWithTheSeedDiagramsVerdictAndTimeline) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--initial", "5", "--schedule", "1R 2R 1W 2W", "--timeline"},
      tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.out.find("Expected 7 but got 6"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Worker 1 read counter: 5"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("W 5→6"), std::string::npos) << o.out;
  expect_nothing_left(o, tmp);
}

TEST(InitialCli, ShardedCounterSumsToInitialPlusIncrements) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "3", "-n", "4", "--initial", "100", "--strategy",
                                "sharded", "--backend", "mmap", "--delay", "none", "--json"},
                               tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["expected"], 112);
  EXPECT_EQ(r["final"], 112);
  expect_nothing_left(o, tmp);
}

TEST(InitialCli, ReplayCommandCarriesTheStartValueAndIsConfirmed) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "3", "--initial", "9", "--backend", "shm",
                                "--delay", "none", "--replay-check", "--json"},
                               tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["expected"], 15);
  const std::string replay = r["replay_command"];
  EXPECT_NE(replay.find("--initial 9 "), std::string::npos) << replay;
  EXPECT_NE(o.err.find("confirmed by replay"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

class InitialBadUsage : public ::testing::TestWithParam<BadArgs> {};

TEST_P(InitialBadUsage, ExitsTwoNamingTheOption) { expect_bad_usage("run", GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Cases, InitialBadUsage,
    ::testing::Values(BadArgs{{"--scenario", "inventory", "--initial", "3"}, "--stock"},
                      BadArgs{{"--scenario", "bank", "--initial", "3"}, "--balance"},
                      BadArgs{{"--initial", "-1"}, "--initial"},
                      BadArgs{{"--initial", "99999999999999"}, "--initial"}),
    bad_args_name);

}  // namespace
}  // namespace shmlab::test
