// Replay any run (issue 14), through the real binary: runs under the OS scheduler on every
// backend × strategy × scenario that the code's own tables accept (fits(), the scenario's
// refusal()), several runs each, every one followed by --replay-check, which runs the observed
// schedule on fresh processes. Whatever interleaving the OS chose, the replay must give the same
// final cells, the same lost writes and erasers and the same VERIFY verdicts. The only other
// answers allowed are the honest refusals: the file backend saying two writes overlapped, and a
// strategy whose writes carry no id on the bank, where a balance always comes back to a value it
// held (below).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "shmlab/region/backend.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"
#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;

// Each scenario's options: small (each run takes a fraction of a second) and racy. The bank's 3
// workers move money A→B, B→C, C→D: no cycle, so account-locks cannot deadlock, and accounts B
// and C are each written by two workers. A scenario missing here fails the test.
const std::map<std::string, Args> kScenarioArgs = {
    {"counter", {"-w", "3", "-n", "4"}},
    {"inventory", {"-w", "4", "-n", "1", "--stock", "2"}},
    {"bank", {"-w", "3", "-n", "2", "--accounts", "4"}},
};

// The OS-scheduled runs of each triple: with small delays the race shows at these sizes; without,
// the steps are as close as the OS lets them be.
const std::vector<std::string> kDelays = {"0-1:0-2:0", "none", "0-1:0-2:0"};

struct Triple {
  std::string scenario;
  std::string backend;
  std::string strategy;
};

// gtest names the parameter in its output: the triple, not its bytes.
void PrintTo(const Triple& t, std::ostream* os) {
  *os << t.scenario << " on " << t.backend << " under " << t.strategy;
}

// Every strategy each scenario can express on each backend it fits, from the code's own tables.
// One test case each: a case stays a few seconds, even in a sanitizer build.
std::vector<Triple> triples() {
  std::vector<Triple> out;
  for (const ScenarioDef* def : all_scenarios()) {
    for (const Backend b : all_backends()) {
      for (const StrategyInfo& s : all_strategies()) {
        if (def->refusal(s.id).empty() && fits(s.id, b))
          out.push_back(
              {std::string(def->name()), std::string(backend_name(b)), std::string(s.name)});
      }
    }
  }
  return out;
}

// Where the order cannot be known, so no schedule may be given. A strategy whose writes carry no
// id (atomic) is ordered by value, and under these options the bank's account B gets +100 from
// worker 1 and -100 from worker 2 twice each: it always comes back to a balance it held, and
// which time a read saw is unknown (docs/attribution.md, docs/replay.md).
bool never_replayable(const std::string& scenario, const std::string& strategy) {
  return scenario == "bank" && !attributable(*parse_strategy(strategy));
}

// What a replay must give again, read from the two runs' JSON: the final cells, the outcome of
// each scenario, the lost writes with their erasers (less how the eraser was known: a schedule's
// steps never overlap) and each worker's operations and VERIFY verdicts.
json replayed_part(const json& r) {
  json out;
  for (const char* key : {"final", "balances", "lost_updates", "declined", "overdrafts",
                          "transfers_lost", "money_created", "invariant_held", "exit_code"}) {
    if (r.contains(key)) out[key] = r[key];
  }
  out["lost"] = json::array();
  for (json l : r["lost"]) {
    l.erase("evidence");
    out["lost"].push_back(l);
  }
  for (const json& w : r["per_worker"]) {
    out["per_worker"].push_back(
        {w["ops"], w["verify_overwritten"], w["verify_changed"], w["status"]});
  }
  return out;
}

class ReplayCheck : public testing::TestWithParam<Triple> {};

TEST_P(ReplayCheck, TheObservedScheduleIsConfirmedByReplayWhateverTheInterleaving) {
  const auto& [scenario, backend, strategy] = GetParam();
  ASSERT_TRUE(kScenarioArgs.contains(scenario)) << "no options for " << scenario;
  const Args& extra = kScenarioArgs.at(scenario);
  int confirmed = 0;
  for (const std::string& delay : kDelays) {
    SCOPED_TRACE("--delay " + delay);
    TempDir tmp;
    Args args = {"run",    "--scenario", scenario, "--backend",      backend, "--strategy",
                 strategy, "--delay",    delay,    "--replay-check", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Outcome o = run_shmlab(args, tmp, 60);
    ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
    const json r = parse_result(o);
    if (never_replayable(scenario, strategy)) {
      EXPECT_TRUE(r["observed_schedule"].is_null()) << r["observed_schedule"];
      EXPECT_EQ(r["observed_schedule_reason"].get<std::string>().rfind("ambiguous: cell ", 0), 0u)
          << r["observed_schedule_reason"];
      EXPECT_NE(r["observed_schedule_reason"].get<std::string>().find("more than once"),
                std::string::npos)
          << r["observed_schedule_reason"];
      EXPECT_FALSE(r.contains("replay_check"));
    } else if (r["observed_schedule"].is_null()) {
      // Only the file backend cannot tell the order of two writes, and it says so.
      EXPECT_EQ(backend, "file") << r["observed_schedule_reason"];
      EXPECT_EQ(r["observed_schedule_reason"].get<std::string>().rfind("ambiguous: worker ", 0), 0u)
          << r["observed_schedule_reason"];
      EXPECT_FALSE(r.contains("replay_check") && r["replay_check"]["confirmed"] == true);
    } else {
      ASSERT_TRUE(r.contains("replay_check")) << o.out;
      EXPECT_TRUE(r["replay_check"]["confirmed"].get<bool>())
          << r["replay_check"]["differences"].dump(1) << "\nschedule: " << r["observed_schedule"];
      EXPECT_NE(
          r["replay_command"].get<std::string>().find(r["observed_schedule"].get<std::string>()),
          std::string::npos);
      EXPECT_NE(o.err.find("confirmed by replay"), std::string::npos) << o.err;
      if (confirmed++ == 0) {
        // Once per triple, not trusting --replay-check's own comparison: the schedule run here.
        Args replay = {"run",       "--scenario", scenario,
                       "--backend", backend,      "--strategy",
                       strategy,    "--schedule", r["observed_schedule"].get<std::string>(),
                       "--json"};
        replay.insert(replay.end(), extra.begin(), extra.end());
        const Outcome again = run_shmlab(replay, tmp, 60);
        EXPECT_EQ(replayed_part(parse_result(again)), replayed_part(r))
            << "schedule: " << r["observed_schedule"];
        expect_nothing_left(again, tmp);
      }
    }
    expect_nothing_left(o, tmp);
  }
  // Overlapping writes on the file backend are rare: one run of three confirmed at least.
  if (!never_replayable(scenario, strategy)) EXPECT_GT(confirmed, 0);
}

INSTANTIATE_TEST_SUITE_P(All, ReplayCheck, testing::ValuesIn(triples()),
                         [](const testing::TestParamInfo<Triple>& info) {
                           std::string name = info.param.scenario + "_" + info.param.backend + "_" +
                                              info.param.strategy;
                           std::replace(name.begin(), name.end(), '-', '_');  // account-locks
                           return name;
                         });

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
