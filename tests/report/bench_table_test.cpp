#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "shmlab/report/bench_output.hpp"

namespace shmlab {
namespace {

TEST(BenchTable, PeerRowsKeepTheColumnsOfTheirHeader) {
  BenchResult r;
  r.settings.repeat = 1;
  BenchSummary s;
  s.ops_per_s = 1.5e7;
  s.ops_per_s_p10 = 1.4e7;
  s.ops_per_s_p90 = 1.6e7;
  s.p50_ns = 60;
  s.p99_ns = 900;
  r.peers.push_back({BarePrimitive::kRobustMutex, Backend::kShm, 2, s, false});
  r.peers.push_back({BarePrimitive::kBoostMutex, Backend::kShm, 2, s, true});
  std::istringstream in(bench_table(r));
  std::vector<std::string> peers;
  bool in_peers = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("primitive")) in_peers = true;
    if (in_peers && !line.empty()) peers.push_back(line);
  }
  ASSERT_EQ(peers.size(), 3u);
  // "peer boost-interprocess-mutex" is longer than the bare names: the backend column still
  // starts under its header in every row.
  const std::size_t backend = peers[0].find("backend");
  EXPECT_EQ(peers[1].find(" shm ") + 1, backend) << peers[0] << "\n" << peers[1];
  EXPECT_EQ(peers[2].find(" shm ") + 1, backend) << peers[0] << "\n" << peers[2];
}

// Every failed measurement is in the JSON; the table names the first kBenchFailuresShown and
// counts the rest, so a bench whose every measurement failed stays readable.
TEST(BenchTable, FailuresAreListedUnderTheTableUpToALimitAndAllInTheJson) {
  BenchResult r;
  r.settings.repeat = 1;
  const std::size_t n = kBenchFailuresShown + 3;
  for (std::size_t i = 0; i < n; ++i) {
    r.failures.push_back({i == 0 ? "peer" : "strategy", i == 0 ? "pgbench-update" : "mutex",
                          i == 0 ? Backend::kPostgres : Backend::kShm, 2,
                          static_cast<std::uint32_t>(i + 1), "bench worker 1 (PID 42): gave up"});
  }
  const std::string table = bench_table(r);
  EXPECT_NE(table.find("failed: peer pgbench-update on postgres, 2 worker(s), repetition 1: bench "
                       "worker 1 (PID 42): gave up\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("failed: mutex on shm, 2 worker(s), repetition 2: "), std::string::npos);
  EXPECT_EQ(table.find(fmt::format("repetition {}:", kBenchFailuresShown + 1)), std::string::npos);
  EXPECT_NE(table.find("failed: 3 more measurements (--json lists every one)\n"), std::string::npos)
      << table;
  const nlohmann::json j = bench_json(r);
  ASSERT_EQ(j["failures"].size(), n);
  EXPECT_EQ(j["measurements"]["failed"], n);
  EXPECT_EQ(j["failures"][0]["kind"], "peer");
  EXPECT_EQ(j["failures"][0]["backend"], "postgres");
  EXPECT_EQ(j["failures"][n - 1]["repetition"], n);
  EXPECT_EQ(j["failures"][n - 1]["reason"], "bench worker 1 (PID 42): gave up");
}

}  // namespace
}  // namespace shmlab
