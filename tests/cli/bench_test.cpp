// `shmlab bench` through the real binary, on tiny durations: the output formats and the
// correctness column, never speed. Bad options exit 2 naming the option.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "support/bad_usage.hpp"
#include "support/expect.hpp"
#include "support/process_scan.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

// Tiny: each measurement is 20 ms after 10 ms of warm-up.
const std::vector<std::string> kTiny = {"--duration", "0.02", "--warmup", "0.01", "--repeat", "1"};

std::vector<std::string> bench_args(std::vector<std::string> args) {
  args.insert(args.begin(), "bench");
  args.insert(args.end(), kTiny.begin(), kTiny.end());
  return args;
}

void expect_measurement(const json& row) {
  for (const char* key : {"ops_per_s", "ops_per_s_p10", "ops_per_s_p90", "p50_ns", "p99_ns",
                          "retries", "retries_per_op"}) {
    ASSERT_TRUE(row.contains(key)) << key << " in " << row;
    EXPECT_TRUE(row[key].is_number()) << key << " in " << row;
    EXPECT_GE(row[key].get<double>(), 0) << key;
  }
  ASSERT_TRUE(row["lost_updates"].is_number_integer()) << row;
  EXPECT_GE(row["lost_updates"].get<long long>(), 0) << row;
  EXPECT_GT(row["ops_per_s"].get<double>(), 0) << row;
  EXPECT_LE(row["ops_per_s_p10"].get<double>(), row["ops_per_s_p90"].get<double>()) << row;
  EXPECT_LE(row["p50_ns"].get<double>(), row["p99_ns"].get<double>()) << row;
  EXPECT_TRUE(row["lock_wait_share"].is_null() || row["lock_wait_share"].is_number()) << row;
  EXPECT_TRUE(row["workers"].is_number_integer());
  EXPECT_TRUE(row["backend"].is_string());
}

TEST(BenchCli, JsonHasAResultPerPairAndWorkerCountAndThePeers) {
  TempDir tmp;
  const Outcome o = run_shmlab(bench_args({"--strategies", "none,mutex", "--backends", "file",
                                           "--workers", "1,2", "--json"}),
                               tmp, 120);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  ASSERT_TRUE(j["results"].is_array());
  ASSERT_EQ(j["results"].size(), 4u) << j["results"];  // 2 strategies x 2 worker counts
  for (const json& r : j["results"]) {
    expect_measurement(r);
    EXPECT_TRUE(r["strategy"] == "none" || r["strategy"] == "mutex") << r;
    EXPECT_EQ(r["backend"], "file");
    ASSERT_TRUE(r["ratio_to_bare"].is_number()) << r;
    EXPECT_GT(r["ratio_to_bare"].get<double>(), 0);
    if (r["strategy"] == "mutex") {
      EXPECT_EQ(r["lost_updates"], 0) << "a correct strategy loses nothing: " << r;
      EXPECT_TRUE(r["lock_wait_share"].is_number()) << r;
      EXPECT_EQ(r["bare"], "robust-mutex");
    } else {
      EXPECT_TRUE(r["lock_wait_share"].is_null()) << r;
      EXPECT_EQ(r["bare"], "plain-store");
    }
  }
  // The bare loops of both primitives and the Boost peer, at each worker count.
  ASSERT_TRUE(j["peers"].is_array());
  std::multiset<std::string> names;
  for (const json& p : j["peers"]) {
    expect_measurement(p);
    names.insert(p["name"].get<std::string>());
    EXPECT_EQ(p["kind"], p["name"] == "boost-interprocess-mutex" ? "peer" : "bare") << p;
    if (p["name"] != "plain-store") {
      EXPECT_EQ(p["lost_updates"], 0) << p;
    }
  }
  EXPECT_EQ(names.count("plain-store"), 2u);
  EXPECT_EQ(names.count("robust-mutex"), 2u);
  EXPECT_EQ(names.count("boost-interprocess-mutex"), 2u);
  EXPECT_EQ(j["settings"]["repeat"], 1);
  EXPECT_EQ(j["settings"]["workers"], json::array({1, 2}));
  expect_nothing_left(o, tmp);
}

// Absolute rates hold only where they were measured: the JSON names the machine and the build, and
// keeps each repetition's own numbers beside the summary.
TEST(BenchCli, JsonNamesTheMachineTheBuildAndKeepsEveryRepetition) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"bench", "--strategies", "atomic", "--backends", "shm", "--workers", "1",
                  "--duration", "0.02", "--warmup", "0.01", "--repeat", "3", "--json"},
                 tmp, 120);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  ASSERT_TRUE(j["machine"].is_object()) << j;
  EXPECT_FALSE(j["machine"]["cpu_model"].get<std::string>().empty());
  EXPECT_GE(j["machine"]["cpus"].get<int>(), 1);
  EXPECT_EQ(j["machine"]["kernel"].get<std::string>().rfind("Linux ", 0), 0u) << j["machine"];
  const Outcome version = run_shmlab({"--version"}, tmp);
  EXPECT_FALSE(j["commit"].get<std::string>().empty());
  // The same version and commit as the binary's own version line.
  const std::string commit = j["commit"].get<std::string>();
  EXPECT_EQ("shmlab " + j["version"].get<std::string>() + " (commit " +
                (commit == "unknown" ? "unknown: built from a source tree without git" : commit) +
                ")\n",
            version.out);
  EXPECT_EQ(j["interrupted"], false);
  // atomic + its bare loop, x3
  EXPECT_EQ(j["measurements"], json({{"done", 6}, {"planned", 6}, {"failed", 0}}));
  EXPECT_EQ(j["failures"], json::array());
  ASSERT_EQ(j["results"].size(), 1u);
  const json& row = j["results"][0];
  ASSERT_EQ(row["samples"].size(), 3u) << row;
  std::vector<double> rates;
  for (const json& x : row["samples"]) {
    EXPECT_GT(x["ops_measured"].get<std::uint64_t>(), 0u) << x;
    EXPECT_GE(x["ops_total"].get<std::uint64_t>(), x["ops_measured"].get<std::uint64_t>()) << x;
    // atomic loses nothing: the counter is every operation, warm-up and calibration included.
    EXPECT_EQ(x["final"], x["ops_total"]) << x;
    EXPECT_EQ(x["lost_updates"], 0) << x;
    EXPECT_EQ(x["counter_wrapped"], false) << x;
    rates.push_back(x["ops_per_s"].get<double>());
  }
  std::sort(rates.begin(), rates.end());
  EXPECT_EQ(row["ops_per_s"].get<double>(), rates[1]) << "the median of the three samples";
  ASSERT_EQ(j["peers"].size(), 1u);
  EXPECT_EQ(j["peers"][0]["samples"].size(), 3u);
  expect_nothing_left(o, tmp);
}

// Without a warm-up the batch is calibrated all the same: timed single operations (two clock reads
// each) made atomic look 15x slower than it is.
TEST(BenchCli, NoWarmupStillTimesCalibratedBatches) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"bench", "--strategies", "atomic,none", "--backends", "shm", "--workers", "1",
                  "--duration", "0.1", "--warmup", "0", "--repeat", "1", "--json"},
                 tmp, 120);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  for (const char* list : {"results", "peers"}) {
    ASSERT_FALSE(j[list].empty()) << j;
    for (const json& row : j[list]) {
      ASSERT_EQ(row["samples"].size(), 1u) << row;
      EXPECT_GT(row["samples"][0]["batch"].get<std::uint64_t>(), 1u) << row;
    }
  }
  expect_nothing_left(o, tmp);
}

// Output paths are opened before measuring: an hour-long bench that cannot write its CSV fails at
// once, with the path, and measures nothing.
TEST(BenchCli, UnwritableOutputFailsBeforeMeasuring) {
  TempDir tmp;
  const std::string missing = tmp.path() + "/no-such-dir/x.csv";
  const Outcome o = run_shmlab({"bench", "--strategies", "none", "--backends", "file", "--duration",
                                "3600", "--csv", missing},
                               tmp, 30);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find(missing), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  expect_nothing_left(o, tmp);
}

// An output path that was created for the run and never written is removed again.
TEST(BenchCli, FailedRunRemovesTheOutputFilesItCreated) {
  TempDir tmp;
  TempDir out;
  const std::string csv = out.path() + "/bench.csv";
  const Outcome o = run_shmlab({"bench", "--strategies", "none", "--backends", "file", "--duration",
                                "3600", "--csv", csv, "--plot", tmp.path() + "/missing/x.svg"},
                               tmp, 30);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_TRUE(out.entries().empty());
  expect_nothing_left(o, tmp);
}

TEST(BenchCli, EveryCorrectStrategyOnEveryBackendLosesNothing) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      bench_args({"--strategies", "all", "--backends", "all", "--workers", "2", "--json"}), tmp,
      240);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  std::set<std::string> pairs;
  for (const json& r : j["results"]) {
    expect_measurement(r);
    const std::string pair =
        r["strategy"].get<std::string>() + "/" + r["backend"].get<std::string>();
    EXPECT_TRUE(pairs.insert(pair).second) << "twice: " << pair;
    if (r["strategy"] != "none") {
      EXPECT_EQ(r["lost_updates"], 0) << r;
    }
    // Every pair off sqlite has a bare loop to compare with; on sqlite the cost is SQLite's.
    EXPECT_EQ(r["ratio_to_bare"].is_number(), r["backend"] != "sqlite") << r;
  }
  for (const char* pair :
       {"none/file", "mutex/shm", "atomic/shm", "cas/mmap", "sharded/shm", "transaction/sqlite",
        "flock/file", "ofd/file", "semaphore/shm", "spinlock/mmap"}) {
    EXPECT_EQ(pairs.count(pair), 1u) << pair;
  }
  EXPECT_EQ(pairs.count("atomic/file"), 0u) << "an impossible pair is never measured";
  for (const json& p : j["peers"]) {
    if (p["name"] != "plain-store") {
      EXPECT_EQ(p["lost_updates"], 0) << p;
    }
  }
  expect_nothing_left(o, tmp);
}

// A lock wait is time blocked behind another holder. With one worker nobody else can hold the
// lock, so every lock strategy's wait share is exactly 0 (its uncontended acquisition is the
// primitive's own cost, not a wait); the lock-free ones have none (null).
TEST(BenchCli, OneWorkerNeverWaitsForALock) {
  TempDir tmp;
  const Outcome o = run_shmlab(bench_args({"--strategies", "mutex,spinlock,semaphore,flock,ofd,cas",
                                           "--backends", "shm,file", "--workers", "1", "--json"}),
                               tmp, 120);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  ASSERT_EQ(j["results"].size(), 11u) << j["results"];  // cas does not fit file
  for (const json& r : j["results"]) {
    if (r["strategy"] == "cas") {
      EXPECT_TRUE(r["lock_wait_share"].is_null()) << r;
      continue;
    }
    ASSERT_TRUE(r["lock_wait_share"].is_number()) << r;
    EXPECT_EQ(r["lock_wait_share"].get<double>(), 0.0) << r;
  }
  expect_nothing_left(o, tmp);
}

TEST(BenchCli, TableOnStdoutAndNoProgressBarWhenPiped) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      bench_args({"--strategies", "mutex", "--backends", "file", "--workers", "2"}), tmp, 120);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("strategy"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("vs bare"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("mutex        file"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("bare robust-mutex"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("peer boost-interprocess-mutex"), std::string::npos) << o.out;
  EXPECT_TRUE(o.err.empty()) << "stderr is not a terminal, no progress bar: " << o.err;
  expect_nothing_left(o, tmp);
}

TEST(BenchCli, WritesCsvAndAPlot) {
  TempDir tmp;
  TempDir out;
  const std::string csv = out.path() + "/bench.csv";
  const std::string svg = out.path() + "/bench.svg";
  const Outcome o = run_shmlab(bench_args({"--strategies", "none", "--backends", "file",
                                           "--workers", "1,2", "--csv", csv, "--plot", svg}),
                               tmp, 120);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::ifstream c(csv);
  std::string header;
  std::getline(c, header);
  EXPECT_EQ(header.rfind("kind,name,backend,workers,ops_per_s,", 0), 0u) << header;
  std::vector<std::string> lines;
  for (std::string line; std::getline(c, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);  // none x 2 worker counts, its bare loop x 2
  EXPECT_EQ(lines[0].rfind("strategy,none,file,1,", 0), 0u) << lines[0];
  EXPECT_EQ(lines[2].rfind("bare,plain-store,file,1,", 0), 0u) << lines[2];
  std::stringstream plot;
  plot << std::ifstream(svg).rdbuf();
  const std::string s = plot.str();
  EXPECT_EQ(s.rfind("<svg", 0), 0u) << s.substr(0, 80);
  EXPECT_NE(s.find("none on file"), std::string::npos);
  EXPECT_NE(s.find("bare plain-store on file"), std::string::npos);
  EXPECT_NE(s.find("worker processes"), std::string::npos);
  EXPECT_NE(s.find("log"), std::string::npos);
  EXPECT_NE(s.find("</svg>"), std::string::npos);
  EXPECT_NE(o.err.find("wrote " + csv + ", " + svg), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

TEST(BenchCli, HelpListsTheOptions) {
  const std::string top =
      expect_help_lists("bench", {"--strategies", "--backends", "--workers", "--duration",
                                  "--repeat", "--pin", "--json", "--csv", "--plot", "Examples"});
  EXPECT_EQ(top.find("bench-worker"), std::string::npos) << "internal command is hidden";
}

// The PID of a bench worker of this test's run (its environment carries our TMPDIR), or -1.
pid_t find_bench_worker(const TempDir& tmp) {
  for (int i = 0; i < 1000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (const auto found = processes_of(tmp.path(), "bench-worker"); !found.empty())
      return found.front();
  }
  return -1;
}

// A worker killed by a signal fails its measurement (exit 4), which the table names with how the
// worker ended. sqlite: one measurement, no bare loop to wait for after it.
TEST(BenchCli, KilledWorkerFailsItsMeasurementNamingItAndNothingLeft) {
  TempDir tmp;
  pid_t killed = -1;
  std::thread killer([&] {
    if (const pid_t w = find_bench_worker(tmp); w > 0 && ::kill(w, SIGKILL) == 0) killed = w;
  });
  const Outcome o = run_shmlab({"bench", "--strategies", "mutex", "--backends", "sqlite",
                                "--workers", "2", "--duration", "20", "--repeat", "1"},
                               tmp, 60);
  killer.join();
  ASSERT_GT(killed, 0) << "no bench worker to kill";
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.out.find("failed: mutex on sqlite, 2 worker(s), repetition 1: bench worker"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find(fmt::format("(PID {}): was killed by signal 9", killed)), std::string::npos)
      << o.out;
  EXPECT_TRUE(processes_of(tmp.path(), "bench-worker").empty());
  expect_nothing_left(o, tmp);
}

// SHMLAB_TEST_BENCH_FAIL=mutex: worker 1 of every mutex measurement fails once the others run.
// The other strategies' rows and every bare loop are measured and exact; each failed measurement
// is listed with why; exit 4; nothing of any measurement is left.
Outcome bench_with_failing_mutex(const TempDir& tmp, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/env", "SHMLAB_TEST_BENCH_FAIL=mutex", shmlab_binary()};
  const auto more = bench_args(std::move(args));
  argv.insert(argv.end(), more.begin(), more.end());
  return run_program(argv, tmp, 120);
}

TEST(BenchCli, AFailedMeasurementIsListedInTheJsonAndTheOthersAreMeasured) {
  TempDir tmp;
  const Outcome o = bench_with_failing_mutex(
      tmp,
      {"--strategies", "none,mutex,atomic", "--backends", "shm", "--workers", "1,2", "--json"});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const json j = parse_result(o);
  std::set<std::pair<std::string, int>> rows;
  for (const json& r : j["results"]) {
    rows.emplace(r["strategy"].get<std::string>(), r["workers"].get<int>());
    expect_measurement(r);
    EXPECT_EQ(r["samples"].size(), 1u) << r;
    if (r["strategy"] == "atomic") {
      EXPECT_EQ(r["lost_updates"], 0) << r;
    }
  }
  const std::set<std::pair<std::string, int>> measured = {
      {"none", 1}, {"none", 2}, {"atomic", 1}, {"atomic", 2}};
  EXPECT_EQ(rows, measured);
  bool mutex_reference = false;  // the bare loop of the failed strategy is measured all the same
  for (const json& p : j["peers"]) {
    expect_measurement(p);
    if (p["name"] != "plain-store") {
      EXPECT_EQ(p["lost_updates"], 0) << p;
    }
    mutex_reference = mutex_reference || p["name"] == "robust-mutex";
  }
  EXPECT_TRUE(mutex_reference) << j["peers"];
  ASSERT_EQ(j["failures"].size(), 2u) << j["failures"];
  for (std::size_t i = 0; i < 2; ++i) {
    const json& f = j["failures"][i];
    EXPECT_EQ(f["kind"], "strategy");
    EXPECT_EQ(f["name"], "mutex");
    EXPECT_EQ(f["backend"], "shm");
    EXPECT_EQ(f["workers"], i + 1);
    EXPECT_EQ(f["repetition"], 1);
    const std::string why = f["reason"];
    EXPECT_EQ(why.rfind("bench worker 1 (PID ", 0), 0u) << why;
    EXPECT_NE(why.find("SHMLAB_TEST_BENCH_FAIL=mutex: worker 1 failed on purpose"),
              std::string::npos)
        << why;
  }
  EXPECT_EQ(j["interrupted"], false);
  EXPECT_EQ(j["measurements"]["failed"], 2);
  EXPECT_EQ(j["measurements"]["done"], j["measurements"]["planned"]);
  EXPECT_NE(o.err.find("mutex on shm, 2 worker(s), repetition 1/1 failed: bench worker 1"),
            std::string::npos)
      << o.err;
  EXPECT_TRUE(processes_of(tmp.path(), "bench-worker").empty());
  expect_nothing_left(o, tmp);
}

TEST(BenchCli, AFailedMeasurementIsNamedUnderTheTableAndTheFilesAreWritten) {
  TempDir tmp;
  TempDir out;
  const std::string csv = out.path() + "/bench.csv";
  const Outcome o = bench_with_failing_mutex(
      tmp, {"--strategies", "mutex,flock", "--backends", "file", "--workers", "2", "--csv", csv});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.out.find("\nflock "), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("\nmutex "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("failed: mutex on file, 2 worker(s), repetition 1: bench worker 1 (PID "),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("SHMLAB_TEST_BENCH_FAIL=mutex: worker 1 failed on purpose\n"),
            std::string::npos)
      << o.out;
  std::ifstream c(csv);
  std::string all((std::istreambuf_iterator<char>(c)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find("\nstrategy,flock,file,2,"), std::string::npos) << all;
  EXPECT_EQ(all.find("\nstrategy,mutex,"), std::string::npos) << all;
  expect_nothing_left(o, tmp);
}

// Ctrl-C after the first measurements keeps them: printed, written to the files asked for, and
// marked as interrupted; everything of the measurement in progress is removed.
TEST(BenchCli, InterruptWritesWhatWasMeasuredCleansUpAndExits130) {
  TempDir tmp;
  TempDir out;
  const std::string csv = out.path() + "/bench.csv";
  std::thread interrupter([&] {
    // A new worker PID means a measurement (one worker each) ended and the next one started.
    const pid_t first = find_bench_worker(tmp);
    for (int i = 0; first > 0 && i < 2000; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const auto now = processes_of(tmp.path(), "bench-worker");
      if (!now.empty() && now.front() != first) {
        ::kill(parent_of(now.front()), SIGINT);
        return;
      }
    }
  });
  const Outcome o = run_shmlab(
      {"bench", "--strategies", "none", "--backends", "file", "--workers", "1", "--duration",
       "0.05", "--warmup", "0.01", "--repeat", "1000", "--json", "--csv", csv},
      tmp, 120);
  interrupter.join();
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_NE(o.err.find("interrupted by INT after "), std::string::npos) << o.err;
  const json j = parse_result(o);
  EXPECT_EQ(j["interrupted"], true);
  const auto done = j["measurements"]["done"].get<std::size_t>();
  EXPECT_GE(done, 1u);
  EXPECT_EQ(j["measurements"]["planned"], 2000);  // none and its bare loop, 1000 times
  std::size_t samples = 0;
  for (const char* list : {"results", "peers"}) {
    for (const json& row : j[list]) samples += row["samples"].size();
  }
  EXPECT_EQ(samples, done) << "every measurement that ended is in the JSON";
  std::ifstream c(csv);
  std::string header;
  std::getline(c, header);
  EXPECT_EQ(header.rfind("kind,name,backend,", 0), 0u) << header;
  EXPECT_NE(o.err.find("wrote " + csv), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

TEST(BenchCli, InterruptBeforeAnyMeasurementPrintsNothing) {
  TempDir tmp;
  std::thread interrupter([&] {
    if (const pid_t w = find_bench_worker(tmp); w > 0) ::kill(parent_of(w), SIGINT);
  });
  const Outcome o = run_shmlab({"bench", "--strategies", "none", "--backends", "file", "--workers",
                                "2", "--duration", "20", "--repeat", "1"},
                               tmp, 60);
  interrupter.join();
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  expect_nothing_left(o, tmp);
}

class BenchBadOptions : public ::testing::TestWithParam<BadArgs> {};

TEST_P(BenchBadOptions, ExitTwoNamingTheOptionAndCreateNothing) {
  expect_bad_usage("bench", GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    BenchCli, BenchBadOptions,
    ::testing::Values(
        BadArgs{{"--strategies", "lock"}, "--strategies"},
        BadArgs{{"--strategies", ""}, "--strategies"},
        BadArgs{{"--backends", "disk"}, "--backends"},
        BadArgs{{"--backends", "file,,shm"}, "--backends"},
        BadArgs{{"--workers", "0"}, "--workers"}, BadArgs{{"--workers", "1025"}, "--workers"},
        BadArgs{{"--workers", "1,x"}, "--workers"}, BadArgs{{"--workers", "-2"}, "--workers"},
        BadArgs{{"--duration", "0"}, "--duration"}, BadArgs{{"--duration", "abc"}, "--duration"},
        BadArgs{{"--repeat", "0"}, "--repeat"}, BadArgs{{"--warmup", "-1"}, "--warmup"},
        BadArgs{{"--strategies", "transaction", "--backends", "file"}, "sqlite"},
        BadArgs{{"--strategies", "atomic", "--backends", "file"}, "mmap, shm"},
        BadArgs{{"--plot", "bench.png"}, "unknown extension '.png'"},
        BadArgs{{"--plot", "bench"}, "--plot"}, BadArgs{{"--bogus"}, "--bogus"}),
    bad_args_name);

}  // namespace
}  // namespace shmlab::test
