// Replay any run (issue 14), through the real binary: runs under the OS scheduler, with delays,
// on every backend × {none, mutex} × scenario, each followed by --replay-check, which runs the
// observed schedule on fresh processes. Whatever interleaving the OS chose, the replay must give
// the same final cells, the same lost writes and erasers and the same VERIFY verdicts; the only
// other answer allowed is the file backend saying its order was ambiguous.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;

// Scenario and the options that keep its runs small and racy.
const std::vector<std::pair<std::string, Args>> kScenarios = {
    {"counter", {"-w", "3", "-n", "4"}},
    {"inventory", {"-w", "4", "-n", "1", "--stock", "2"}},
    {"bank", {"-w", "3", "-n", "2", "--accounts", "3"}},
};

using Combo = std::tuple<std::string, std::string, std::size_t>;  // backend, strategy, scenario

class ReplayCheck : public testing::TestWithParam<Combo> {};

TEST_P(ReplayCheck, TheObservedScheduleIsConfirmedByReplayWhateverTheInterleaving) {
  const auto& [backend, strategy, scenario] = GetParam();
  for (int attempt = 0; attempt < 3; ++attempt) {
    TempDir tmp;
    Args args = {"run",
                 "--scenario",
                 kScenarios[scenario].first,
                 "--backend",
                 backend,
                 "--strategy",
                 strategy,
                 "--delay",
                 "0-2:0-2:0-1",
                 "--replay-check",
                 "--json"};
    args.insert(args.end(), kScenarios[scenario].second.begin(), kScenarios[scenario].second.end());
    const Outcome o = run_shmlab(args, tmp, 60);
    ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
    const json r = parse_result(o);
    if (r["observed_schedule"].is_null()) {
      // Only the file backend cannot tell the order of two writes, and it says so.
      EXPECT_EQ(backend, "file") << r["observed_schedule_reason"];
      EXPECT_EQ(r["observed_schedule_reason"].get<std::string>().rfind("ambiguous: ", 0), 0u)
          << r["observed_schedule_reason"];
      EXPECT_FALSE(r.contains("replay_check") && r["replay_check"]["confirmed"] == true);
    } else {
      ASSERT_TRUE(r.contains("replay_check")) << o.out;
      EXPECT_TRUE(r["replay_check"]["confirmed"].get<bool>())
          << r["replay_check"]["differences"].dump(1) << "\nschedule: " << r["observed_schedule"];
      EXPECT_NE(
          r["replay_command"].get<std::string>().find(r["observed_schedule"].get<std::string>()),
          std::string::npos);
    }
    expect_nothing_left(o, tmp);
  }
}

std::string combo_name(const testing::TestParamInfo<Combo>& info) {
  return std::get<0>(info.param) + "_" + std::get<1>(info.param) + "_" +
         kScenarios[std::get<2>(info.param)].first;
}

INSTANTIATE_TEST_SUITE_P(All, ReplayCheck,
                         testing::Combine(testing::Values("file", "mmap", "shm", "sqlite"),
                                          testing::Values("none", "mutex"),
                                          testing::Values(0u, 1u, 2u)),
                         combo_name);

TEST(Replay, TheLogEndsWithTheCommandThatReplaysTheRun) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "1", "-n", "2", "--delay", "none"}, tmp, 30);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // One worker: its own program order is the only interleaving there is.
  EXPECT_NE(o.out.find("Replay this interleaving: shmlab run -w 1 -n 2 --backend file --strategy "
                       "none --schedule \"1R 1W 1V 1R 1W 1V\""),
            std::string::npos)
      << o.out;
  expect_nothing_left(o, tmp);
}

TEST(Replay, ARunUnderAScheduleHasNoObservedSchedule) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "1", "--schedule", "1R 2R 1W 2W", "--json"}, tmp, 30);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_FALSE(r.contains("observed_schedule"));
  EXPECT_EQ(o.err.find("Replay this interleaving"), std::string::npos);
  expect_nothing_left(o, tmp);
}

}  // namespace
}  // namespace shmlab::test

namespace shmlab::test {
namespace {

// --repeat K: whichever run comes first with a lost update is the one reported, with its replay
// command in the JSON and in the HTML report; if none of the K lost one, the last is reported.
TEST(UntilRace, TheFirstRacyRunIsKeptWithItsReplayCommand) {
  TempDir tmp;
  const std::string report = tmp.path() + "/report.html";
  const Outcome o = run_shmlab({"run", "-w", "3", "-n", "3", "--delay", "0:1:0", "--until-race",
                                "--repeat", "20", "--report", report, "--json"},
                               tmp, 120);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["lost_updates"].get<int>() > 0, o.exit_code == 3);
  if (o.exit_code == 3) {
    EXPECT_NE(o.err.find("updates lost; keeping this run"), std::string::npos) << o.err;
    std::ifstream in(report);
    const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(html.find("replay this interleaving"), std::string::npos);
    if (!r["replay_command"].is_null()) {
      EXPECT_NE(html.find(r["observed_schedule"].get<std::string>()), std::string::npos);
    }
  }
  std::remove(report.c_str());
  expect_nothing_left(o, tmp);
}

TEST(UntilRace, AScheduleIsRefusedForItGivesTheSameRunEveryTime) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--until-race", "--schedule", "1R 2R 1W 2W"}, tmp, 30);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("a schedule gives the same run every time"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace shmlab::test
