#include "shmlab/run/stale_objects.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>

#include "shmlab/control/control_block.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab {
namespace {

TEST(StaleObjects, RunObjectNamesParse) {
  std::string id;
  pid_t pid = 0;
  for (const char* name : {"shmlab-12-0abc1234", "shmlab-12-0abc1234.json",
                           "sem.shmlab-12-0abc1234-lock", "shmlab-12-0abc1234-data"}) {
    ASSERT_TRUE(parse_run_object_name(name, id, pid)) << name;
    EXPECT_EQ(id, "shmlab-12-0abc1234");
    EXPECT_EQ(pid, 12);
  }
}

TEST(StaleObjects, OtherNamesAreNotRuns) {
  std::string id;
  pid_t pid = 0;
  for (const char* name : {"", "shmlab-", "shmlab-test-1-x", "shmlab-12-0abc123",
                           "shmlab-12-0abc12345", "shmlab-12-0ABC1234", "shmlab--0abc1234",
                           "shmlab-0-0abc1234", "shmlab-99999999999-0abc1234", "xshmlab-1-0abc1234",
                           "shmlab-12-0abc1234x", "sem.", "shmlab-12_0abc1234"}) {
    EXPECT_FALSE(parse_run_object_name(name, id, pid)) << name;
  }
}

// A kept control block of the dead run, copied into `dir` under `name`.
void plant_kept_block(const test::TempDir& dir, const std::string& name) {
  RunParams p;
  std::snprintf(p.run_id, sizeof p.run_id, "shmlab-test-sk-%d", ::getpid());
  ControlBlock block = ControlBlock::create(p);
  block.keep();
  std::ofstream(dir.path() + "/" + name, std::ios::binary)
      .write(static_cast<const char*>(static_cast<void*>(&block.header())),
             static_cast<std::streamsize>(ControlBlock::size_for(p)));
  ::shm_unlink(block.name().c_str());
}

TEST(StaleObjects, DeadOwnersOnlyAndKeptRunsMarked) {
  test::TempDir dir;
  constexpr const char* kDead = "shmlab-999999999-0123abcd";
  const std::string alive = "shmlab-" + std::to_string(::getpid()) + "-0123abcd";
  std::ofstream(dir.path() + "/" + kDead + ".json") << "x";
  std::ofstream(dir.path() + "/" + alive + ".json") << "x";
  // A kept control block of the dead run, copied into the directory (a test never plants
  // run-named objects in the shared /dev/shm, where another suite's `clean` may be looking).
  plant_kept_block(dir, kDead);
  const auto found = find_stale_objects({dir.path()});
  std::size_t ours = 0;
  for (const StaleObject& s : found) {
    if (s.run_id != kDead) continue;
    ++ours;
    EXPECT_EQ(s.owner, 999999999);
    EXPECT_TRUE(s.kept) << s.name;
    EXPECT_EQ(remove_stale_object(s), "");
  }
  EXPECT_EQ(ours, 2u) << "its region file and its control block";
  for (const StaleObject& s : found) EXPECT_NE(s.run_id, alive);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{alive + ".json"});
}

// Anyone may create names in /tmp: a FIFO named like a dead run's control block used to block the
// scan's open forever (`run` and `clean` hung). The scan must end, and not call the run kept.
TEST(StaleObjects, FifoNamedLikeARunNeitherHangsNorCounts) {
  test::TempDir dir;
  constexpr const char* kDead = "shmlab-999999999-0123abcd";
  const std::string fifo = dir.path() + "/" + kDead;
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::ofstream(dir.path() + "/" + kDead + ".json") << "x";
  auto scan = std::async(std::launch::async, [&] { return find_stale_objects({dir.path()}); });
  if (scan.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Release the blocked open so that the test can end, and fail.
    const int w = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (w >= 0) ::close(w);
    FAIL() << "the scan blocked on a FIFO";
  }
  const auto found = scan.get();
  ASSERT_EQ(found.size(), 1u) << "only the regular file; the FIFO is no run's object";
  EXPECT_EQ(found.front().name, std::string(kDead) + ".json");
  EXPECT_FALSE(found.front().kept);
}

// Another user's file cannot make our dead run "kept" (and so spared by `clean`).
TEST(StaleObjects, ForeignControlBlockCannotForgeKept) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to give a file to another uid";
  test::TempDir dir;
  constexpr const char* kDead = "shmlab-999999999-0123abcd";
  std::ofstream(dir.path() + "/" + kDead + ".json") << "x";
  plant_kept_block(dir, kDead);
  ASSERT_EQ(::chown((dir.path() + "/" + kDead).c_str(), 65534, 65534), 0);
  const auto found = find_stale_objects({dir.path()});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.front().name, std::string(kDead) + ".json");
  EXPECT_FALSE(found.front().kept);
}

// A run keeps its files in a private directory named by its id: clean removes it with its files,
// but never another user's directory, a symlink to one, or a directory named otherwise.
TEST(StaleObjects, DeadRunsPrivateDirectoryIsRemovedWithItsFiles) {
  test::TempDir dir;
  constexpr const char* kDead = "shmlab-999999999-0123abcd";
  const std::string run_dir = dir.path() + "/" + kDead;
  ASSERT_EQ(::mkdir(run_dir.c_str(), 0700), 0);
  for (const char* f : {".sqlite", ".sqlite-wal", ".sqlite-shm"})
    std::ofstream(run_dir + "/" + kDead + f) << "x";
  const std::string foreign = dir.path() + "/shmlab-999999999-0123abce";
  ASSERT_EQ(::mkdir(foreign.c_str(), 0700), 0);
  const bool root = ::getuid() == 0;
  if (root) {
    ASSERT_EQ(::chown(foreign.c_str(), 65534, 65534), 0);
  }
  const std::string link = dir.path() + "/shmlab-999999999-0123abcf";
  ASSERT_EQ(::symlink(run_dir.c_str(), link.c_str()), 0);
  const auto found = find_stale_objects({dir.path()});
  std::vector<std::string> names;
  for (const StaleObject& s : found) {
    names.push_back(s.name);
    if (s.name == kDead) {
      EXPECT_TRUE(s.is_dir);
      EXPECT_EQ(remove_stale_object(s), "");
    }
  }
  const std::vector<std::string> expected =
      root ? std::vector<std::string>{kDead}
           : std::vector<std::string>{kDead, "shmlab-999999999-0123abce"};
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, expected);
  EXPECT_FALSE(std::filesystem::exists(run_dir));
  EXPECT_TRUE(std::filesystem::exists(foreign));
  ::rmdir(foreign.c_str());
  ::unlink(link.c_str());
}

}  // namespace
}  // namespace shmlab
