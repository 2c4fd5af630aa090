// Scale (issue 7): many workers and many increments end exactly right, and the largest worker
// count works at all. Outcomes only; never how fast.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;  // 1,024 sanitized processes need gigabytes of shadow memory
#else
constexpr bool kSanitized = false;
#endif

TEST(ScaleCli, SixtyFourWorkersTimesOneHundredThousandAtomicOnShmEndExact) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "64", "-n", "100000", "--strategy", "atomic",
                                "--backend", "shm", "--delay", "none", "--json"},
                               tmp, 240);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json r = json::parse(o.out);
  EXPECT_EQ(r["expected"], 6'400'000);
  EXPECT_EQ(r["final"], 6'400'000);
  EXPECT_EQ(r["lost_updates"], 0);
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(ScaleCli, AThousandAndTwentyFourWorkersRun) {
  if (kSanitized) GTEST_SKIP() << "too many sanitized processes for a CI machine";
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "1024", "-n", "10", "--strategy", "atomic",
                                "--backend", "shm", "--delay", "none", "--json"},
                               tmp, 240);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json r = json::parse(o.out);
  EXPECT_EQ(r["final"], 10'240);
  EXPECT_EQ(r["per_worker"].size(), 1024u);
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
  EXPECT_TRUE(tmp.entries().empty());
}

}  // namespace
}  // namespace shmlab::test
