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

}  // namespace
}  // namespace shmlab
